#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include "http/beast.hpp"
#include "http/strand_lane.hpp"
#include "metrics/runtime_metrics.hpp"
#include "protocol/event_sink.hpp"
#include "util/cache_warm.hpp"

namespace agenttheo::http {

/// The event-sink side our socket writers share (`Sink`: `event_sink` or a
/// kind of it): the session's events reach `Derived::take` on the socket's
/// strand, at once when a lane's job finds the strand free, and what the
/// socket's own actor writes can be put behind them.
///
/// `Derived` derives from `std::enable_shared_from_this<Derived>` and has
///   `strand()`: the socket's strand (an executor);
///   `context()`: the I/O context it runs on;
///   `lanes_wanted()`: the threads running that context;
///   `take(events, final)`: see `event_sink`'s `open` and `deliver_notice`;
///   `take_round(round)`: see its `deliver_round`;
///   `warm_beyond()`: warms what its writes reach through pointers.
template <class Derived, class Sink>
class strand_sink : public Sink {
public:
  const void* io_context() const override {
    return &derived().context();
  }

  std::shared_ptr<sink_lane> make_lane() override {
    return std::make_shared<strand_lane>(derived().context());
  }

  /// The socket's strand as the lane: a round's `in_strand` then finds it
  /// running on this thread and calls at once, one strand hand-off a token
  /// instead of two (~1,300 instructions of ~21,000, stop 68). Other
  /// subscribers may join the lane: it is only a strand.
  std::shared_ptr<sink_lane> make_own_lane() override {
    return std::make_shared<strand_lane>(derived().strand(), derived().context());
  }

  unsigned lanes() const override {
    return derived().lanes_wanted();
  }

  void open(std::shared_ptr<sink_lane> lane, subscription_filter filter,
            event_list replay, bool final) override {
    in_strand([lane = std::move(lane), filter = std::move(filter),
               replay = std::move(replay), final](Derived& self) mutable {
      self.lane_ = std::move(lane);
      self.filter_ = std::move(filter);
      self.take(*replay, final);
    });
  }

  void deliver_round(round_ptr round) override {
    in_strand(
      [round = std::move(round)](Derived& self) { self.take_round(*round); });
  }

  /// The writer's own lines, and the socket and counters a write reaches
  /// through it (its strand's state stays out of reach: asio keeps it
  /// private).
  void warm() const override {
    warm_lines(&derived(), sizeof(Derived));
    derived().warm_beyond();
  }

  void deliver_notice(event_list events) override {
    in_strand([events = std::move(events)](Derived& self) {
      self.take(*events, false);
    });
  }

protected:
  /// `f(self)` on the strand, posted: after what is already there.
  template <class F>
  void on_strand(F f) {
    post_to(derived().strand(), derived().shared_from_this(), std::move(f));
  }

  /// `f(self)` on the strand, at once if the strand is free and this is an
  /// I/O thread (a lane's job walking a round): no post per socket.
  template <class F>
  void in_strand(F f) {
    boost::asio::dispatch(derived().strand(), [self = derived().shared_from_this(),
                                               f = std::move(f)]() mutable { f(*self); });
  }

  /// `f(self)` on the strand after everything the session sent through its
  /// lane up to now (at once when no session writes here). The socket
  /// actor's own frames come after its session ended or let it go: they
  /// must follow the session's last events, which may still wait in the
  /// lane.
  template <class F>
  void after_session_events(F f) {
    on_strand([f = std::move(f)](Derived& self) {
      if (!self.lane_)
        return f(self);
      self.lane_->post([self = self.shared_from_this(), f] { self->in_strand(f); });
    });
  }

  /// Calls `f(ev)` for each of `events` (a replay, a notice: all, as they
  /// are) up to the subscription's last; true if that came.
  template <class F>
  bool each_taken(const std::vector<event_ptr>& events, F f) {
    for (const auto& ev : events) {
      f(ev);
      if (filter_.ends(ev->raw))
        return true;
    }
    return false;
  }

  /// Calls `f(ev)` for each event of `round` the subscriber follows and has
  /// not taken yet, then for each the session published after them, as far
  /// as `peekable(ev)` lets it go on (those left come with their own
  /// round); each timed, up to the subscription's last. True if that came.
  template <class F, class Peekable>
  bool each_round_taken(const sink_round& round, F f, Peekable peekable) {
    // At 10,000 subscribers the clock and the histogram were a tenth of
    // the I/O thread's time when read per event.
    auto now = std::chrono::steady_clock::now();
    std::uint64_t taken = 0;
    auto take = [&](const event_ptr& ev) {
      if (ev->raw.id <= taken_through_)
        return false; // taken with an earlier round, after it
      taken_through_ = ev->raw.id;
      if (!filter_.follows(ev->raw))
        return false;
      observe_delivery(ev->stamped, now);
      f(ev);
      ++taken;
      return filter_.ends(ev->raw);
    };
    for (const auto& ev : round.events)
      if (take(ev))
        return true;
    if (!round.last)
      return false;
    auto of_round = taken;
    auto ended = false;
    for (auto* link = round.last->next();
         link && !ended && peekable(*link->event()); link = link->next())
      ended = take(link->event());
    if (taken > of_round)
      count(counter::events_ahead_of_round, taken - of_round);
    return ended;
  }

  template <class F>
  bool each_round_taken(const sink_round& round, F f) {
    return each_round_taken(round, std::move(f),
                            [](const encoded_event&) { return true; });
  }

  /// The lane the session's events come by (`open`); null: none do.
  std::shared_ptr<sink_lane> lane_;
  /// What the subscriber follows of a round.
  subscription_filter filter_;
  /// The id of the newest event of the session's rounds this sink took
  /// (published ids only grow).
  std::uint64_t taken_through_ = 0;

private:
  Derived& derived() {
    return static_cast<Derived&>(*this);
  }
  const Derived& derived() const {
    return static_cast<const Derived&>(*this);
  }
};

} // namespace agenttheo::http
