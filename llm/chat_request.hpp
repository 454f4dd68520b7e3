#pragma once

#include <string>
#include <vector>

#include "config/llm_settings.hpp"
#include "messages/chat_types.hpp"

namespace agenttheo {

/// The streaming `POST {base}/chat/completions` body: model, messages,
/// `stream: true`, `stream_options.include_usage`, tools, sampling limits.
std::string chat_request_body(const llm_settings& settings,
                              const std::vector<chat_message>& messages,
                              const std::vector<tool_schema>& tools);

/// `{base}/chat/completions`
std::string chat_completions_url(const llm_settings& settings);

/// Content type, bearer token, and OpenRouter's attribution headers.
std::vector<std::string> chat_request_headers(const llm_settings& settings);

} // namespace agenttheo
