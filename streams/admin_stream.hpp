#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "protocol/sse_writer.hpp"

namespace agenttheo {

/// `GET /api/admin/stream`: the registry's stats as an SSE `stats` event
/// every second (the registry pushes them), until the client goes.
/// Finishes its socket on exit.
struct admin_stream_state {
  std::shared_ptr<sse_writer> writer;
  std::uint64_t next_id = 1;

  static inline const char* name = "admin_stream";
};

caf::behavior admin_stream(caf::stateful_actor<admin_stream_state>* self,
                           std::shared_ptr<sse_writer> writer,
                           std::string cors_origin, caf::actor registry);

} // namespace agenttheo
