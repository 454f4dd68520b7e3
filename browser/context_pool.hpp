#pragma once

// Which browser contexts are open, which session's page holds each, and
// which one to take back when a run needs a context and none is free.

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace agenttheo {

/// The bookkeeping behind `BROWSER_MAX_CONTEXTS`: contexts open and
/// opening, and for each open one whether its session is running a command.
/// A context whose session is idle is lent out on demand, least recently
/// used first: its page saves its state and closes it. So a run waits only
/// while every context belongs to a running session.
class context_pool {
public:
  /// 0: no limit.
  explicit context_pool(std::size_t max_contexts = 0) : max_(max_contexts) {
  }

  void set_limit(std::size_t max_contexts) {
    max_ = max_contexts;
  }

  std::size_t limit() const {
    return max_;
  }

  /// Every slot is open or opening.
  bool full() const {
    return max_ > 0 && contexts_.size() + opening_ >= max_;
  }

  /// A context is being created (its slot is taken).
  void begin_opening() {
    ++opening_;
  }

  /// Creating one failed: its slot is free again.
  void opening_failed() {
    if (opening_ > 0)
      --opening_;
  }

  /// It exists now, and its session is running (a tool asked for it).
  void opened(const std::string& context);

  /// Its session started (true) or ended (false) a run.
  void set_active(const std::string& context, bool active);

  /// It is closed. False if it was not open (already freed).
  bool closed(const std::string& context);

  /// Chromium died: every context went with it.
  void clear();

  /// For `waiting` requests: the idle contexts to reclaim now, least
  /// recently used first, beyond those being reclaimed already. Each one
  /// returned is marked as being reclaimed.
  std::vector<std::string> reclaim_for(std::size_t waiting);

  /// Some context could be reclaimed (is idle and not already going).
  bool has_idle() const;

  std::size_t open_count() const {
    return contexts_.size();
  }

  /// Contexts whose session is running: open ones, and those opening (a
  /// tool is waiting for each).
  std::size_t running_count() const;

  /// Contexts asked to close and not closed yet.
  std::size_t reclaiming_count() const;

private:
  struct entry {
    bool active = true;
    bool reclaiming = false;
    /// When its session last started or ended a run (a logical clock).
    std::uint64_t last_used = 0;
  };

  std::size_t max_;
  std::size_t opening_ = 0;
  std::uint64_t clock_ = 0;
  std::unordered_map<std::string, entry> contexts_;
};

} // namespace agenttheo
