#include "streams/session_loss.hpp"

#include <caf/error.hpp>
#include <caf/exit_reason.hpp>

#include "messages/payloads.hpp"
#include "util/clock.hpp"

namespace agenttheo {

event_ptr session_loss_event(const std::string& node, const caf::error& reason,
                             const std::string& message_id) {
  auto lost_node = !node.empty()
                   && reason == caf::exit_reason::remote_link_unreachable;
  auto data = lost_node
                ? payload::error("node_lost", "worker node " + node
                                                + " was lost; this run's "
                                                  "events stop here")
                : payload::error("session_lost", "the session ended unexpectedly");
  return encode(event{0, event_type::error, "", message_id, std::move(data), true,
                      unix_millis()});
}

} // namespace agenttheo
