#include "actors/worker_door.hpp"

#include <caf/all.hpp>

#include "config/log.hpp"
#include "messages/cluster_messages.hpp"

namespace agenttheo {

bool same_secret(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i])
            ^ static_cast<unsigned char>(expected.empty()
                                           ? 0
                                           : expected[i % expected.size()]);
  return diff == 0;
}

caf::behavior worker_door(caf::event_based_actor* self, caf::actor manager,
                          std::string secret) {
  return {
    [self, manager, secret](join_cluster_atom,
                            const std::string& given) -> caf::result<caf::actor> {
      if (!same_secret(given, secret)) {
        log(log_level::warn, "refused a gateway that showed the wrong cluster "
                             "secret");
        return caf::make_error(caf::sec::runtime_error, "wrong cluster secret");
      }
      if (const auto& sender = self->current_sender())
        log(log_level::info, "a gateway joined from node ",
            caf::to_string(sender->node()));
      return manager;
    },
  };
}

} // namespace agenttheo
