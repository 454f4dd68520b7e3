#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace agenttheo {

/// One function call the model asked for, assembled from its deltas.
struct tool_call {
  std::string id;
  std::string name;
  /// The arguments as the model wrote them: JSON text, possibly invalid.
  std::string arguments;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_call& x) {
  return f(caf::meta::type_name("tool_call"), x.id, x.name, x.arguments);
}

struct token_usage {
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
};

/// A picture of the page shown to the model: a JPEG, base64 (empty: none).
struct page_image {
  std::string jpeg_base64;
  std::uint32_t width = 0;
  std::uint32_t height = 0;

  bool empty() const {
    return jpeg_base64.empty();
  }
};

/// A message of the conversation sent to the model.
struct chat_message {
  std::string role; // system, user, assistant, tool
  std::string content;
  /// For assistant messages that called tools.
  std::vector<tool_call> tool_calls;
  /// For tool messages: which call this answers.
  std::string tool_call_id;
  /// A user message may show the model the page: an image part after
  /// `content`.
  page_image image = {};
};

/// A function the model may call, as the provider's `tools` entry.
struct tool_schema {
  std::string name;
  std::string description;
  /// JSON Schema of the arguments object.
  std::string parameters_json;
};

} // namespace agenttheo
