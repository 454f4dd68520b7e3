#include "actors/store_writer.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/registry.hpp"
#include "config/log.hpp"
#include "messages/messages.hpp"
#include "store/artifact_folder.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_error.hpp"
#include "util/clock.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<store_writer_state>*;

std::size_t events_in(const std::vector<store_write>& batch) {
  return static_cast<std::size_t>(
    std::count_if(batch.begin(), batch.end(), [](const store_write& w) {
      return std::holds_alternative<event_row>(w);
    }));
}

/// Writes what failed last time, then what waits. True when all is on disk.
bool flush(self_ptr self) {
  auto& st = self->state;
  auto& inbox = *st.settings->inbox;
  for (auto& write : inbox.take()) {
    st.unwritten_bytes += footprint(write);
    st.unwritten.push_back(std::move(write));
  }
  if (st.unwritten.empty())
    return true;
  try {
    st.settings->store->write(st.unwritten);
  } catch (const sqlite::failure& f) {
    if (!inbox.failing.exchange(true))
      log(log_level::error, "store: writing failed, retrying every flush: ",
          f.message);
    return false;
  }
  if (inbox.failing.exchange(false))
    log(log_level::info, "store: writing again");
  inbox.written(st.unwritten_bytes, events_in(st.unwritten));
  st.unwritten.clear();
  st.unwritten_bytes = 0;
  return true;
}

void sweep(self_ptr self) {
  const auto& settings = *self->state.settings;
  try {
    auto cutoff = unix_millis() - settings.retention.count();
    auto gone = settings.store->sweep(cutoff);
    for (const auto& id : gone)
      if (auto files = artifact_folder::of(settings.artifacts_dir, id))
        files->remove();
    if (!gone.empty())
      log(log_level::info, "store: deleted ", gone.size(),
          gone.size() == 1 ? " session" : " sessions",
          " that ended more than STORE_RETENTION ago, with their files");
  } catch (const sqlite::failure& f) {
    log(log_level::warn, "store: the retention sweep failed: ", f.message);
  }
}

stored_session_found revive(self_ptr self, const std::string& session_id,
                            const std::string& message_id) {
  const auto& settings = *self->state.settings;
  try {
    if (auto saved = settings.store->revive(session_id, message_id,
                                            settings.max_events))
      return {std::make_shared<const restored_session>(std::move(*saved))};
  } catch (const sqlite::failure& f) {
    log(log_level::warn, "store: could not read a session back: ", f.message);
  }
  return {};
}

/// Often enough that a session outlives STORE_RETENTION by at most a
/// quarter of it, and at most hourly.
std::chrono::milliseconds sweep_interval(std::chrono::milliseconds retention) {
  using namespace std::chrono;
  return std::clamp<milliseconds>(retention / 4, milliseconds{250}, hours{1});
}

} // namespace

caf::behavior store_writer(caf::stateful_actor<store_writer_state>* self,
                           std::shared_ptr<store_writer_settings> settings) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.stats = join_registry(self, "store", "store");
  st.stats->set_state("writing");
  // Shutdown: what waits is written before the actor goes.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    flush(self);
    self->quit(msg.reason);
  });
  self->delayed_send(self, st.settings->flush_interval, store_flush_atom::value,
                     true);
  sweep(self);
  self->delayed_send(self, sweep_interval(st.settings->retention),
                     store_sweep_atom::value);
  return counting_behavior(
    st.stats.get(),
    // The timer's: write, then arm the next. (No answer: it would come
    // back to this actor.)
    [self](store_flush_atom, bool) {
      flush(self);
      self->delayed_send(self, self->state.settings->flush_interval,
                         store_flush_atom::value, true);
    },
    [self](store_flush_atom) { return flush(self); },
    // What waits is written first: the session's end, its last events.
    [self](revive_atom, const std::string& session_id,
           const std::string& message_id) {
      flush(self);
      return revive(self, session_id, message_id);
    },
    [self](store_sweep_atom) {
      sweep(self);
      self->delayed_send(self, sweep_interval(self->state.settings->retention),
                         store_sweep_atom::value);
    });
}

} // namespace agenttheo
