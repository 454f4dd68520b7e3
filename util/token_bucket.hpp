#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>

namespace agenttheo {

/// A rate limit: `rate` tokens a second, at most `burst` saved up, one
/// taken per action. Says how long until the next token when there is
/// none, so a refusal's Retry-After is the truth.
class token_bucket {
public:
  using clock = std::chrono::steady_clock;

  token_bucket(double rate, double burst, clock::time_point now)
    : rate_(rate), burst_(burst), tokens_(burst), at_(now) {
  }

  /// Takes a token: 0 if there was one, else the whole seconds until one
  /// will be (at least 1).
  std::uint32_t take(clock::time_point now) {
    refill(now);
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return 0;
    }
    return static_cast<std::uint32_t>(std::max(1.0, std::ceil((1.0 - tokens_) / rate_)));
  }

  /// Nothing taken lately: the bucket can be forgotten.
  bool full(clock::time_point now) {
    refill(now);
    return tokens_ >= burst_;
  }

  /// Tokens taken and not yet refilled (what a client used lately).
  double used(clock::time_point now) {
    refill(now);
    return burst_ - tokens_;
  }

private:
  void refill(clock::time_point now) {
    std::chrono::duration<double> elapsed = now - at_;
    at_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
  }

  double rate_;
  double burst_;
  double tokens_;
  clock::time_point at_;
};

} // namespace agenttheo
