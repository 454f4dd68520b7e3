#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <utility>

namespace agenttheo {

/// Whether a session's last delivery round has reached its subscribers.
///
/// Every message of a round carries the round's ticket; the round is
/// absorbed once the last of them is handled (or dropped: a subscriber that
/// died), whichever thread that happens on. A session holds new events while
/// its last round is still in its subscribers' mailboxes, so that when
/// rounds cost more than the gap between events they become fewer and
/// fuller (each carrying every event since the last) instead of queueing
/// behind each other: latency stays near what one round takes rather than
/// growing with a backlog. No message is spent unless the session waits:
/// then the ticket's last holder calls `on_absorbed` once.
class fanout_round {
public:
  using ticket = std::shared_ptr<const void>;

  explicit fanout_round(std::function<void()> on_absorbed = {})
    : shared_(std::make_shared<shared_state>()) {
    shared_->on_absorbed = std::move(on_absorbed);
  }

  /// A new round: the ticket each of its messages carries.
  ticket start() {
    auto t = std::make_shared<token>();
    t->state = shared_;
    last_ = t;
    return t;
  }

  /// True: the last round is absorbed, the next may go now. False: it is
  /// not yet, and `on_absorbed` is called once it is (exactly one of the two
  /// sides acts, whichever thread drops the last ticket).
  bool wait() {
    if (last_.expired())
      return true;
    shared_->waiting.store(true);
    // The round may have been absorbed between the check and the flag: then
    // whoever takes the flag back acts (us now, or the ticket's holder).
    return last_.expired() && shared_->waiting.exchange(false);
  }

private:
  struct shared_state {
    std::atomic<bool> waiting{false};
    std::function<void()> on_absorbed;
  };

  struct token {
    std::shared_ptr<shared_state> state;
    ~token() {
      if (state->waiting.exchange(false) && state->on_absorbed)
        state->on_absorbed();
    }
  };

  std::shared_ptr<shared_state> shared_;
  std::weak_ptr<const void> last_;
};

} // namespace agenttheo
