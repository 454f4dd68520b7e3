#include "actors/worker_link.hpp"

#include <set>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include "messages/cluster_messages.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<worker_link_state>*;

using link_connect_atom = caf::atom_constant<caf::atom("lnk_conn")>;
using link_poll_atom = caf::atom_constant<caf::atom("lnk_poll")>;

/// Forgets the worker, tells the router why, and tries again later.
void lose(self_ptr self, std::string reason) {
  auto& st = self->state;
  if (st.manager) {
    self->demonitor(st.manager);
    st.manager = nullptr;
  }
  ++st.generation;
  self->send(st.settings.router, worker_lost{st.settings.index, std::move(reason)});
  self->delayed_send(self, st.settings.retry, link_connect_atom::value);
}

void poll(self_ptr self, bool with_runs) {
  auto& st = self->state;
  self->request(st.manager, st.settings.timeout, node_status_atom::value, with_runs)
    .then(
      [self, gen = st.generation](node_status& status) {
        auto& st = self->state;
        if (gen != st.generation)
          return;
        self->send(st.settings.router, worker_report{st.settings.index,
                                                     std::move(status)});
        self->delayed_send(self, st.settings.poll_interval,
                           link_poll_atom::value);
      },
      [self, gen = st.generation](caf::error& err) {
        if (gen != self->state.generation)
          return;
        lose(self, "no status answer within "
                     + std::to_string(self->state.settings.timeout.count())
                     + " ms (" + self->system().render(err) + ")");
      });
}

void joined(self_ptr self, caf::actor manager) {
  auto& st = self->state;
  st.manager = std::move(manager);
  ++st.generation;
  self->monitor(st.manager);
  self->send(st.settings.router, worker_up{st.settings.index, st.manager});
  // The first status carries every run, so a restarted gateway learns where
  // the runs it did not place live.
  poll(self, true);
}

void join(self_ptr self, const caf::strong_actor_ptr& door) {
  auto& st = self->state;
  if (!door)
    return lose(self, "nothing is published at " + st.settings.where.name());
  self->request(caf::actor_cast<caf::actor>(door), st.settings.timeout,
                join_cluster_atom::value, st.settings.secret)
    .then([self](caf::actor& manager) { joined(self, std::move(manager)); },
          [self](caf::error& err) {
            lose(self, "the worker refused to join: " + self->system().render(err));
          });
}

void connect(self_ptr self) {
  auto& st = self->state;
  auto& sys = self->system();
  auto mm = st.settings.tls ? sys.openssl_manager().actor_handle()
                            : sys.middleman().actor_handle();
  self->request(mm, st.settings.timeout, caf::connect_atom::value,
                st.settings.where.host, st.settings.where.port)
    .then(
      [self](const caf::node_id&, caf::strong_actor_ptr& door,
             const std::set<std::string>&) { join(self, door); },
      [self](caf::error& err) {
        lose(self, "cannot connect: " + self->system().render(err));
      });
}

} // namespace

caf::behavior worker_link(caf::stateful_actor<worker_link_state>* self,
                          worker_link_settings settings) {
  self->state.settings = std::move(settings);
  self->set_down_handler([self](caf::down_msg& down) {
    if (down.source == self->state.manager)
      lose(self, "connection lost (" + self->system().render(down.reason) + ")");
  });
  connect(self);
  return {
    [self](link_connect_atom) {
      if (!self->state.manager)
        connect(self);
    },
    [self](link_poll_atom) {
      if (self->state.manager)
        poll(self, false);
    },
  };
}

} // namespace agenttheo
