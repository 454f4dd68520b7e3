#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

#include "actors/fanout_round.hpp"
#include "protocol/event_sink.hpp"

namespace agenttheo {

/// A session's subscribers whose events go straight to their sockets.
///
/// A round is one job per lane, posted on the session's lane(s) there; on
/// the I/O thread the job hands the events to every sink of its share of
/// that context in turn (a context run by several threads gets a lane per
/// thread, and each new subscriber joins the lane with the fewest). It
/// replaces one actor message per subscriber (and the
/// connection actor's cross-thread post to its socket) with one post per
/// round. Everything the session sends such a subscriber (its replay, a
/// notice) takes the same lane, so it arrives in the order sent.
class sink_roster {
public:
  /// Starts `sink` on `filter` after `replay`; `follow`: it takes the
  /// session's rounds from now on (else the replay is all, and final).
  void open(const caf::actor& subscriber, std::shared_ptr<event_sink> sink,
            subscription_filter filter, std::vector<event_ptr> replay, bool follow);

  /// No more rounds for `subscriber` (nothing if it has no sink here).
  /// Constant time: a session's 10,000 subscribers leave one by one.
  void remove(const caf::actor_addr& subscriber);

  /// A round: `events` to every sink, each taking those it follows. The
  /// jobs hold `round` until they have handed them over.
  void deliver(std::vector<event_ptr> events, const fanout_round::ticket& round);

  /// `ev` is the session's newest event: the sinks a round reaches after
  /// it was published take it with the round (each write carries what
  /// was published up to it), and its own round skips them.
  void publish(event_ptr ev);

  /// `ev` to `subscriber` alone, after what the session sent it before.
  void notify(const caf::actor& subscriber, event_ptr ev);

  std::size_t size() const;

  /// The I/O context (`event_sink::io_context`) most following sinks are
  /// on; null with none.
  const void* busiest_context() const;

private:
  struct member {
    caf::actor subscriber;
    std::shared_ptr<event_sink> sink;
  };
  using sink_list = std::shared_ptr<const std::vector<std::shared_ptr<event_sink>>>;

  /// One of the session's lanes, and the sinks whose events go by it.
  struct shard {
    std::shared_ptr<sink_lane> lane;
    std::vector<member> members;
    /// What a round walks: made again only after members changed.
    sink_list snapshot;
  };

  /// The session's lanes on one I/O context.
  struct context_group {
    const void* context = nullptr;
    std::vector<shard> shards;
  };

  /// Where a following subscriber's member sits.
  struct place {
    std::size_t group;
    std::size_t shard;
    std::size_t index;
  };
  using key = const caf::actor_control_block*;

  std::size_t group_of(event_sink& sink);
  std::size_t least_loaded(const context_group& group) const;
  static sink_list snapshot_of(shard& to);
  shard& shard_at(const place& at);

  std::vector<context_group> groups_;
  /// Every member's place, by its actor: found without a scan, left by
  /// moving the shard's last member into the gap.
  std::unordered_map<key, place> places_;
  /// Every event the session published, as the I/O threads read them.
  published_chain published_;
};

} // namespace agenttheo
