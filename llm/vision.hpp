#pragma once

// Whether the model is shown the page (LLM_VISION): `on`, `off`, or `auto`,
// which is on for model names known to accept images and off otherwise.
// The names are matched as substrings of LLM_MODEL, lower-cased, so an
// OpenRouter name (`openai/gpt-4o-mini`, `anthropic/claude-sonnet-4`) and
// a dated one (`gpt-4o-2024-08-06`) match their family.

#include <cstdint>
#include <string_view>
#include <vector>

#include "config/llm_settings.hpp"

namespace agenttheo {

/// The model families `auto` treats as seeing images (the README lists
/// them).
const std::vector<std::string_view>& vision_model_families();

bool model_accepts_images(std::string_view model);

/// LLM_VISION resolved for the configured model; never for the offline
/// planner, which reads no images.
bool vision_enabled(const llm_settings& llm);

/// What an image costs in the context budget, in tokens, by OpenAI's
/// published rule for detail "high" (the most any provider bills close
/// to): fit in 2048 x 2048, shortest side at most 768, then 170 per
/// 512-pixel tile plus 85.
std::size_t image_tokens(std::uint32_t width, std::uint32_t height);

} // namespace agenttheo
