#pragma once

#include <cstddef>
#include <vector>

#include "messages/chat_types.hpp"

namespace agenttheo {

/// A rough token count (a token is ~4 bytes of English or JSON; an image
/// by llm/vision.hpp's image_tokens), the same for every provider: the
/// budget guards against runaway prompts, it does not need the provider's
/// exact tokenizer.
std::size_t estimate_tokens(const chat_message& message);

std::size_t estimate_tokens(const std::vector<chat_message>& messages);

/// The tools offered with a prompt: the provider counts them as prompt
/// tokens (what a budget must reckon with; the context budget leaves them
/// out, as nothing of them can be trimmed).
std::size_t estimate_tokens(const std::vector<tool_schema>& tools);

/// What `fit_to_budget` had to do.
struct budget_report {
  std::size_t tokens = 0;
  /// Tool outputs replaced by a placeholder.
  std::size_t trimmed_outputs = 0;
  /// Messages of old turns dropped whole.
  std::size_t dropped_messages = 0;
  /// Images of the page taken out of their messages.
  std::size_t dropped_images = 0;
};

/// The text that replaces a tool output trimmed away.
inline constexpr const char* trimmed_output_note
  = "[output removed to fit the context budget]";

/// What replaces an image taken out of its message.
inline constexpr const char* dropped_image_note
  = " [image removed to fit the context budget]";

/// Shrinks `messages` to at most `budget` estimated tokens (0: no limit),
/// least useful first:
///   1. images of the page, oldest first, except the newest (an image
///      costs hundreds of tokens and an old one shows a page gone by);
///   2. tool outputs, oldest first, except those answering the newest
///      assistant turn (the model is about to read them);
///   3. whole old turns (a user message and everything up to the next one),
///      oldest first, never one at or after `protect_from`;
///   4. the newest tool outputs too, then the newest image.
/// A leading system message and `messages[protect_from]` always stay; what
/// is left may still exceed a budget too small for them.
budget_report fit_to_budget(std::vector<chat_message>& messages,
                            std::size_t budget, std::size_t protect_from);

} // namespace agenttheo
