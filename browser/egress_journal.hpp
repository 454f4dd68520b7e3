#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace agenttheo {

/// Why the egress proxy did not carry a request: the code a tool reports
/// (`egress_blocked`, or the `net::ERR_*` Chromium would have given had it
/// connected itself) and a sentence for the model.
struct egress_refusal {
  static constexpr const char* blocked = "egress_blocked";
  std::string code;
  std::string sentence;
};

/// What the egress proxy refused lately, so a page whose navigation failed
/// in the proxy's tunnel (`net::ERR_TUNNEL_CONNECTION_FAILED`: Chromium
/// shows no proxy answer for https) can still tell the model why. Shared
/// by the proxy's thread and the page actors; bounded.
class egress_journal {
public:
  static constexpr std::size_t capacity = 256;
  static constexpr std::chrono::seconds memory{60};

  /// `where` is `host:port` as the browser asked for it.
  void record(std::string where, egress_refusal refusal);

  /// The latest refusal of `where` within the last minute.
  std::optional<egress_refusal> lookup(const std::string& where) const;

  /// Requests refused by the policy since start.
  std::uint64_t blocked_total() const {
    return blocked_.load(std::memory_order_relaxed);
  }

private:
  struct entry {
    std::chrono::steady_clock::time_point at;
    std::string where;
    egress_refusal refusal;
  };
  mutable std::mutex mutex_;
  std::deque<entry> entries_;
  std::atomic<std::uint64_t> blocked_{0};
};

} // namespace agenttheo
