#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "messages/event.hpp"
#include "protocol/published_chain.hpp"

namespace agenttheo {

/// What a subscriber follows, as its socket side applies it to a round.
struct subscription_filter {
  /// The run followed; empty: every run of the session.
  std::string message_id;
  mode_mask modes = all_modes;
  /// Ends only with the session's own terminal event.
  bool whole_session = false;

  bool follows(const event& ev) const {
    return agenttheo::follows(message_id, modes, ev);
  }
  bool ends(const event& ev) const {
    return ends_subscription(ev, whole_session);
  }
};

/// Events shared by every sink they go to, never copied.
using event_list = std::shared_ptr<const std::vector<event_ptr>>;

/// A delivery round as one lane hands it to its sinks: the events the
/// session held for it and, from the last of them on, the chain of what
/// the session publishes while the lane walks (see published_chain.hpp).
struct sink_round {
  std::vector<event_ptr> events;
  /// Null when the session published nothing before the round.
  std::shared_ptr<const published_link> last;
};

/// One lane's round, shared by the sinks it walks (a copy per lane: lanes
/// walk on different threads, and one count would bounce between them).
using round_ptr = std::shared_ptr<const sink_round>;

/// Jobs that run on the I/O threads of one I/O context, one at a time, in
/// the order they were posted: a session's one way to its subscribers'
/// sockets on that context, so each socket gets the session's events in
/// the order the session sent them.
class sink_lane {
public:
  virtual ~sink_lane() = default;

  /// Any thread; returns at once.
  virtual void post(std::function<void()> job) = 0;

  /// Any thread: at once when this thread may run the lane's jobs and none
  /// is queued, otherwise as `post`.
  virtual void dispatch(std::function<void()> job) {
    post(std::move(job));
  }

  /// Any thread: a job of work split over several lanes to run at once,
  /// as `post`, with every thread the lane's context has called to it.
  virtual void spread(std::function<void()> job) {
    post(std::move(job));
  }
};

/// A subscriber's socket as its session writes to it: the hot path of a
/// delivery round, with no hop through the connection's actor. A round is
/// one job per I/O context, which hands the events to each sink there on
/// the I/O thread itself (instead of one actor message per subscriber and
/// one cross-thread post per socket). The connection's actor keeps the rest:
/// being accepted, watching its session, ending when the socket does.
///
/// Once a session has a subscriber's sink, every event it sends that
/// subscriber goes through the sink, so nothing overtakes anything.
class event_sink {
public:
  virtual ~event_sink() = default;

  /// The I/O context the socket lives on (only compared, never used).
  virtual const void* io_context() const = 0;

  /// A new lane on that context.
  virtual std::shared_ptr<sink_lane> make_lane() = 0;

  /// A lane on that context whose jobs run where this socket's own work
  /// runs (its strand): a round walked there reaches this sink with no
  /// second hand-off. A session's first lane on a context is made so, by
  /// its first subscriber there: a light session's only one.
  virtual std::shared_ptr<sink_lane> make_own_lane() {
    return make_lane();
  }

  /// How many lanes of that context a session's round may be split over:
  /// the threads running it. With two, two threads each write to half of
  /// the session's subscribers there, at once.
  virtual unsigned lanes() const {
    return 1;
  }

  /// From a job of `lane` (of this context): the subscriber follows
  /// `filter` from now on, after `replay` (sent as it is). `final`: the
  /// replay is all there is; the stream ends after it. What the sink's own
  /// side writes from then on goes after the lane's jobs posted before it.
  virtual void open(std::shared_ptr<sink_lane> lane, subscription_filter filter,
                    event_list replay, bool final) = 0;

  /// From a job of a lane of this context: a round's events, of which the
  /// sink takes those its filter follows and it did not take before, and
  /// may take those published after them. The stream ends after the
  /// subscription's last event.
  virtual void deliver_round(round_ptr round) = 0;

  /// From a job of a lane of this context: events for this subscriber
  /// alone (a notice), sent as they are.
  virtual void deliver_notice(event_list events) = 0;

  /// Starts bringing into the cache what `deliver_round` reads here; a
  /// lane asks the next sink while it writes to this one.
  virtual void warm() const {}
};

} // namespace agenttheo
