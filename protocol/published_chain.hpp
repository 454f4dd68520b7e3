#pragma once

#include <atomic>
#include <memory>
#include <utility>

#include "messages/event.hpp"

namespace agenttheo {

/// A session's events in the order it published them, as a chain that the
/// session extends on its own thread while the I/O threads read it.
///
/// A delivery round is fixed when it starts, but at 10,000 subscribers its
/// writes take a hundred milliseconds or more: the subscribers reached late
/// in the walk would get the round's events that much later, and those
/// published meanwhile only in the next round. With the chain, a round's
/// write to a socket carries every event published up to that write (the
/// round's own, then those linked after its last), so each subscriber's
/// latency is the time between two of its writes, not that plus its place
/// in the walk. A later round skips what a socket already took.
///
/// Holding a link keeps every later one alive (each owns the next), so a
/// reader follows `next` without counting references; the session holds
/// only the newest.
class published_link {
public:
  explicit published_link(event_ptr ev) : ev_(std::move(ev)) {}

  published_link(const published_link&) = delete;
  published_link& operator=(const published_link&) = delete;

  /// Lets go of the links after this one without a recursion per link:
  /// a chain nobody read for a while may be long.
  ~published_link() {
    auto next = std::move(owned_next_);
    while (next && next.use_count() == 1)
      next = std::move(next->owned_next_);
  }

  const event_ptr& event() const {
    return ev_;
  }

  /// The link published after this one; null while none is. Any thread.
  const published_link* next() const {
    return next_.load(std::memory_order_acquire);
  }

  /// The session's thread: `ev` follows this link, which must be the last.
  std::shared_ptr<published_link> append(event_ptr ev) {
    auto link = std::make_shared<published_link>(std::move(ev));
    owned_next_ = link;
    next_.store(link.get(), std::memory_order_release);
    return link;
  }

private:
  event_ptr ev_;
  std::shared_ptr<published_link> owned_next_;
  std::atomic<const published_link*> next_{nullptr};
};

/// The session's end of the chain.
class published_chain {
public:
  /// The session's thread: `ev` is published.
  void publish(event_ptr ev) {
    last_ = last_ ? last_->append(std::move(ev))
                  : std::make_shared<published_link>(std::move(ev));
  }

  /// The last event published (null before any): a round hands it on, and
  /// its readers take what follows it.
  std::shared_ptr<const published_link> last() const {
    return last_;
  }

private:
  std::shared_ptr<published_link> last_;
};

} // namespace agenttheo
