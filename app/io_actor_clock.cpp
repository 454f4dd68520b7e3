#include "app/io_actor_clock.hpp"

#include <mutex>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace agenttheo {

namespace net = boost::asio;

/// The context's timer and the lock over the schedule, shared with the
/// timer's handler, which may still be queued on the context when the
/// clock is gone.
struct io_actor_clock::waiter {
  explicit waiter(net::io_context& context) : timer(context) {}

  std::recursive_mutex mutex;
  net::steady_timer timer;
  /// What the timer waits for; `max()`: nothing.
  time_point armed = time_point::max();
  /// Null once stopped.
  io_actor_clock* clock = nullptr;
};

io_actor_clock::io_actor_clock(net::io_context& context)
    : waiter_(std::make_shared<waiter>(context)) {
  waiter_->clock = this;
}

io_actor_clock::~io_actor_clock() {
  stop();
}

template <class Change>
void io_actor_clock::update(Change&& change) {
  std::lock_guard guard{waiter_->mutex};
  if (waiter_->clock == nullptr)
    return;
  change();
  wait_locked();
}

void io_actor_clock::wait_locked() {
  if (schedule().empty())
    return;
  auto earliest = schedule().begin()->first;
  if (earliest >= waiter_->armed)
    return;
  waiter_->armed = earliest;
  // Cancels the wait before it, whose handler then finds an error.
  waiter_->timer.expires_at(earliest);
  waiter_->timer.async_wait(
    [w = waiter_](const boost::system::error_code& error) {
      if (error)
        return;
      // Dropped once the lock is let go: the last hold on an actor may be
      // a message's, and an actor that goes cancels its timeouts.
      std::vector<unique_delayed_event_ptr> due;
      std::lock_guard guard{w->mutex};
      // Null: the clock stopped, and may be gone.
      if (w->clock != nullptr)
        w->clock->fire(due);
    });
}

void io_actor_clock::fire(std::vector<unique_delayed_event_ptr>& due) {
  waiter_->armed = time_point::max();
  auto now = this->now();
  for (auto i = schedule_.begin(); i != schedule_.end() && i->first <= now;
       i = schedule_.erase(i)) {
    if (i->second->backlink != actor_lookup_.end())
      actor_lookup_.erase(i->second->backlink);
    due.push_back(std::move(i->second));
  }
  wait_locked();
  // Out of the schedule first: what a receiver does as it is sent to may
  // come back to the clock (the lock is recursive for that).
  for (auto& event : due)
    ship(*event);
}

void io_actor_clock::set_ordinary_timeout(time_point t,
                                          caf::abstract_actor* self,
                                          caf::atom_value type, uint64_t id) {
  update([&] { simple_actor_clock::set_ordinary_timeout(t, self, type, id); });
}

void io_actor_clock::set_multi_timeout(time_point t, caf::abstract_actor* self,
                                       caf::atom_value type, uint64_t id) {
  update([&] { simple_actor_clock::set_multi_timeout(t, self, type, id); });
}

void io_actor_clock::set_request_timeout(time_point t,
                                         caf::abstract_actor* self,
                                         caf::message_id id) {
  update([&] { simple_actor_clock::set_request_timeout(t, self, id); });
}

void io_actor_clock::cancel_ordinary_timeout(caf::abstract_actor* self,
                                             caf::atom_value type) {
  update([&] { simple_actor_clock::cancel_ordinary_timeout(self, type); });
}

void io_actor_clock::cancel_request_timeout(caf::abstract_actor* self,
                                            caf::message_id id) {
  update([&] { simple_actor_clock::cancel_request_timeout(self, id); });
}

void io_actor_clock::cancel_timeouts(caf::abstract_actor* self) {
  update([&] { simple_actor_clock::cancel_timeouts(self); });
}

void io_actor_clock::schedule_message(time_point t,
                                      caf::strong_actor_ptr receiver,
                                      caf::mailbox_element_ptr content) {
  update([&] {
    simple_actor_clock::schedule_message(t, std::move(receiver),
                                         std::move(content));
  });
}

void io_actor_clock::schedule_message(time_point t, caf::group target,
                                      caf::strong_actor_ptr sender,
                                      caf::message content) {
  update([&] {
    simple_actor_clock::schedule_message(t, std::move(target),
                                         std::move(sender), std::move(content));
  });
}

void io_actor_clock::cancel_all() {
  // Dropped once the lock is let go, as what `fire` sent; swapped out
  // first, so that an actor released here finds an empty schedule.
  schedule_map dropped;
  std::lock_guard guard{waiter_->mutex};
  dropped.swap(schedule_);
  actor_lookup_.clear();
}

void io_actor_clock::stop() {
  std::lock_guard guard{waiter_->mutex};
  // The lock is recursive: what `cancel_all` drops may still cancel.
  cancel_all();
  waiter_->clock = nullptr;
  waiter_->timer.cancel();
}

} // namespace agenttheo
