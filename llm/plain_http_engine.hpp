#pragma once

#include <cstdint>

#include "llm/curl_driver.hpp"

namespace agenttheo {

/// Where a driver runs the transfers it need not give curl: a plain-HTTP
/// provider (a model server on this machine or this network), whose
/// streamed answer is read on an I/O thread's own socket, with no library
/// between the read and the parse (http/asio_http_engine.hpp). A transfer
/// reports through the same callbacks, with curl's codes for its failures.
class plain_http_engine {
public:
  virtual ~plain_http_engine() = default;
  /// Any thread: runs `transfer` if it takes its URL, moving from it and
  /// from `callbacks`; false, both untouched, if curl should run it.
  virtual bool start(std::uint64_t id, http_transfer& transfer,
                     transfer_callbacks& callbacks)
    = 0;
  /// Any thread; one it does not know does nothing.
  virtual void cancel(std::uint64_t id) = 0;
};

} // namespace agenttheo
