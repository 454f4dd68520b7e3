#pragma once

// Test actors that stand where connection actors and the manager stand, and
// record what a session sends them.

#include <memory>
#include <optional>
#include <vector>

#include <caf/all.hpp>

#include "messages/messages.hpp"

namespace agenttheo::testing {

/// What one subscriber received, in order.
struct subscriber_record {
  bool accepted = false;
  std::string session_id;
  std::string message_id;
  std::optional<api_error> rejected;
  std::vector<event_ptr> events;
  std::size_t batches = 0;
  std::size_t live_batches = 0;
  /// Event messages: frames and batches.
  std::size_t messages = 0;
  bool final_batch = false;
  /// What `stream_accepted` said: the session tells us of its end.
  bool session_tells_end = false;
  /// The down messages received (a session's end, told or monitored).
  std::vector<caf::down_msg> downs;

  std::vector<event_type> types() const {
    std::vector<event_type> result;
    for (auto& ev : events)
      result.push_back(ev->raw.type);
    return result;
  }

  std::size_t count(event_type type) const {
    std::size_t n = 0;
    for (auto& ev : events)
      n += ev->raw.type == type ? 1 : 0;
    return n;
  }

  /// The first event of `type`, or null.
  event_ptr first(event_type type) const {
    for (auto& ev : events)
      if (ev->raw.type == type)
        return ev;
    return nullptr;
  }
};

inline caf::behavior subscriber_probe(caf::event_based_actor* self,
                                      std::shared_ptr<subscriber_record> rec) {
  self->set_down_handler(
    [rec](caf::down_msg& down) { rec->downs.push_back(down); });
  return {
    [rec](stream_accepted& x) {
      rec->accepted = true;
      rec->session_tells_end = x.session_tells_end;
      rec->session_id = x.session_id;
      rec->message_id = x.message_id;
    },
    [rec](api_error& x) { rec->rejected = x; },
    [rec](const event_frame& x) {
      ++rec->messages;
      rec->events.push_back(x.ev);
    },
    [rec](const event_batch& x) {
      ++rec->messages;
      ++rec->batches;
      rec->live_batches += x.live;
      rec->final_batch = x.final;
      for (auto& frame : x.events)
        rec->events.push_back(frame.ev);
    },
  };
}

/// What a session told its manager.
struct manager_record {
  std::vector<session_info> infos;
  std::vector<std::string> forgotten;
};

inline caf::behavior manager_probe(caf::event_based_actor*,
                                   std::shared_ptr<manager_record> rec) {
  return {
    [rec](session_info& x) { rec->infos.push_back(x); },
    [rec](run_forgotten& x) { rec->forgotten.push_back(x.message_id); },
  };
}

/// Sets `*gone` when `target` exits. Keep its handle: an actor nobody
/// references is terminated as unreachable.
inline caf::behavior exit_watcher(caf::event_based_actor* self,
                                  caf::actor target,
                                  std::shared_ptr<bool> gone) {
  self->monitor(target);
  self->set_down_handler([self, gone](caf::down_msg&) {
    *gone = true;
    self->quit();
  });
  return {[](int) {}};
}

inline stream_request make_request(std::string command, std::string message_id,
                                   mode_mask modes = all_modes) {
  stream_request req;
  req.command = std::move(command);
  req.message_id = std::move(message_id);
  req.modes = modes;
  return req;
}

} // namespace agenttheo::testing
