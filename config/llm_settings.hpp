#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "config/price_table.hpp"

namespace agenttheo {

/// LLM_VISION: whether the model is shown the page (llm/vision.hpp).
enum class vision_mode { automatic, on, off };

/// Which model answers, and how calls to it behave.
struct llm_settings {
  /// `planner` (built in, offline), `openrouter`, `openai`, or `compatible`
  /// (any OpenAI-compatible server: Ollama, llama.cpp, vLLM).
  std::string provider = "planner";
  /// Up to and including `/v1`; `/chat/completions` is appended.
  std::string base_url;
  std::string model;
  /// Sent as a bearer token; never logged, never put in an event.
  std::string api_key;
  /// Negative: not sent (the provider's default).
  double temperature = -1;
  /// 0: not sent.
  unsigned max_tokens = 0;
  std::chrono::milliseconds connect_timeout{10'000};
  /// Whole call, retries not included; 0 for none.
  std::chrono::milliseconds request_timeout{120'000};
  /// A stream that sends nothing for this long is abandoned.
  std::chrono::milliseconds idle_timeout{30'000};
  /// Retries after 429, 5xx, refused connections or stalls before output.
  unsigned max_retries = 2;
  /// First backoff; doubles per retry, with jitter.
  std::chrono::milliseconds retry_base{500};
  /// A response larger than this is cut off as an error.
  std::size_t max_response_bytes = 8u << 20;
  vision_mode vision = vision_mode::automatic;
  /// The model's price, from LLM_PRICES; none: its cost is not known.
  std::optional<model_price> price;

  bool is_planner() const {
    return provider == "planner";
  }
};

} // namespace agenttheo
