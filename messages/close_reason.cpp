#include "messages/close_reason.hpp"

namespace agenttheo {

std::string_view to_string(close_reason reason) {
  switch (reason) {
    case close_reason::finished:
      return "finished";
    case close_reason::client_closed:
      return "client_closed";
    case close_reason::slow_consumer:
      return "slow_consumer";
    case close_reason::write_failed:
      return "write_failed";
    default:
      return "server_stopping";
  }
}

} // namespace agenttheo
