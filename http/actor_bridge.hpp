#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/sse_writer.hpp"
#include "messages/stream_request.hpp"

namespace agenttheo::http {

/// How the socket side reaches the actors. Every call returns at once;
/// answers come back through callbacks (which must post to a strand before
/// touching a socket). Keeps CAF out of the Beast translation units.
class actor_bridge {
public:
  virtual ~actor_bridge() = default;

  /// Spawns the `sse_connection` actor that serves `request` over `writer`.
  virtual void open_stream(std::shared_ptr<sse_writer> writer,
                           stream_request request, std::string cors_origin)
    = 0;

  /// The `/api/sessions` document, or nullopt if the manager did not answer.
  virtual void
  list_sessions(std::function<void(std::optional<std::string>)> reply)
    = 0;
};

} // namespace agenttheo::http
