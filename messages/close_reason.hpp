#pragma once

#include <cstdint>

namespace agenttheo {

/// Why a connection's socket side ended.
enum class close_reason : std::uint8_t {
  /// The response ended normally (terminal event written, or a rejection).
  finished,
  /// The client closed its end, or the connection broke under a read or
  /// a write.
  client_closed,
  /// The client fell more than the send-queue limit behind.
  slow_consumer,
  /// A final flush did not finish within its grace period.
  write_failed,
  /// The server stopped before the stream ended.
  server_stopping,
};

} // namespace agenttheo
