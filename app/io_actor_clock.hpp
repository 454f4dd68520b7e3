#pragma once

#include <memory>
#include <vector>

#include <caf/detail/simple_actor_clock.hpp>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace agenttheo {

/// CAF's timers (delayed sends, `after` timeouts, request timeouts) kept by
/// an I/O context's timer instead of CAF's clock thread.
///
/// CAF's own clock (`thread_safe_actor_clock`) is a thread fed through a
/// queue: a set or cancel that finds it asleep wakes it, and every actor
/// cancels its timeouts as it exits, whether it had any or not. At 100
/// runs ending together that was three wake-ups a run's end, each landing
/// on the I/O thread's core while it had last tokens to write. Here a
/// cancel is an erase under a lock, a set touches the context's timer only
/// when it is the earliest, and what is due is sent from a handler of the
/// context.
class io_actor_clock final : public caf::detail::simple_actor_clock {
public:
  explicit io_actor_clock(boost::asio::io_context& context);
  ~io_actor_clock() override;

  io_actor_clock(const io_actor_clock&) = delete;
  io_actor_clock& operator=(const io_actor_clock&) = delete;

  void set_ordinary_timeout(time_point t, caf::abstract_actor* self,
                            caf::atom_value type, uint64_t id) override;
  void set_multi_timeout(time_point t, caf::abstract_actor* self,
                         caf::atom_value type, uint64_t id) override;
  void set_request_timeout(time_point t, caf::abstract_actor* self,
                           caf::message_id id) override;
  void cancel_ordinary_timeout(caf::abstract_actor* self,
                               caf::atom_value type) override;
  void cancel_request_timeout(caf::abstract_actor* self,
                              caf::message_id id) override;
  void cancel_timeouts(caf::abstract_actor* self) override;
  void schedule_message(time_point t, caf::strong_actor_ptr receiver,
                        caf::mailbox_element_ptr content) override;
  void schedule_message(time_point t, caf::group target,
                        caf::strong_actor_ptr sender,
                        caf::message content) override;
  void cancel_all() override;

  /// Drops every timer; nothing is sent after. The context may still hold
  /// the timer's handler, which then does nothing.
  void stop();

private:
  struct waiter;

  /// Runs `change` on the schedule, under the lock; then waits for the
  /// earliest entry if it is earlier than what the timer waits for.
  template <class Change>
  void update(Change&& change);
  void wait_locked();
  /// Sends what is due, under the lock; `due` keeps it, to be dropped
  /// after.
  void fire(std::vector<unique_delayed_event_ptr>& due);

  std::shared_ptr<waiter> waiter_;
};

} // namespace agenttheo
