#pragma once

#include <cstddef>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/fwd.hpp>

namespace agenttheo {

/// The stream actors of this node a session follows, told when the session
/// ends, for any reason, with the `down_msg` a monitor would have sent.
///
/// A monitor is an entry in the monitored actor's list, and taking one back
/// scans that list: with every subscriber monitoring its session, 10,000
/// subscribers leaving one session scanned 50 M entries (5.1 s of CPU;
/// 26.5 s for 20,000). The session monitors each of them anyway (to drop
/// those that leave), so it can tell them itself: a hash map, O(1) each way.
/// A stream on another node still monitors its session: that node can
/// vanish without a word.
class stream_watchers {
public:
  /// Whether `who` runs on `session`'s node: then the session tells it.
  static bool told_by(const caf::actor& session, const caf::actor& who);

  void add(const caf::actor& who);
  void remove(const caf::actor_addr& who);
  std::size_t size() const;

  /// Sends each one `down_msg{session, reason}` (the session is ending).
  void tell_end(const caf::actor_addr& session, const caf::error& reason);

private:
  std::unordered_map<const caf::actor_control_block*, caf::actor_addr> members_;
};

} // namespace agenttheo
