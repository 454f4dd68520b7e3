#include "streams/admin_stream.hpp"

#include <caf/all.hpp>

#include "actors/monitor_while_alive.hpp"
#include "actors/registry.hpp"
#include "messages/messages.hpp"
#include "messages/registry_messages.hpp"

namespace agenttheo {

caf::behavior admin_stream(caf::stateful_actor<admin_stream_state>* self,
                           std::shared_ptr<sse_writer> writer,
                           std::string cors_origin, caf::actor registry) {
  auto& st = self->state;
  st.writer = writer;
  // Released on every exit path.
  self->attach_functor([writer] { writer->finish(); });
  // One small frame a second: no backlog to hand over on `drained`.
  writer->start(
    [handle = caf::actor{self}](close_reason reason) {
      caf::anon_send(handle, stream_closed{reason});
    },
    {});
  writer->accept(std::move(cors_origin));
  writer->stats()->set_state("streaming");
  // Joining is subscribing: the registry pushes its stats to every admin
  // stream each second, built once for all of them.
  join_registry(self, "admin_stream", "stats every second", {}, 0, writer->stats());
  // No registry, nothing to show: the server is stopping.
  monitor_while_alive(self, registry);
  self->set_down_handler([self](caf::down_msg&) {
    self->state.writer->finish();
    self->quit();
  });
  return {
    [self](admin_stats_atom, std::string& json) {
      auto& st = self->state;
      st.writer->send(std::make_shared<const std::string>(
        "id: " + std::to_string(st.next_id++) + "\nevent: stats\ndata: " + json
        + "\n\n"));
    },
    [self](stream_closed&) { self->quit(); },
  };
}

} // namespace agenttheo
