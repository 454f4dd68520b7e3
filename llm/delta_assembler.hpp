#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/chat_types.hpp"

namespace agenttheo {

/// What one `data:` payload of a chat-completions stream contributed.
struct chunk_outcome {
  enum class kind {
    /// A normal chunk (content may be empty: role-only, usage, tool deltas).
    ok,
    /// `[DONE]`: the stream is over.
    done,
    /// Not JSON, or not shaped like a chunk.
    malformed,
    /// The provider reported an error inside the stream.
    provider_error,
  };
  kind what = kind::ok;
  /// Text to stream as tokens.
  std::string content;
  /// For malformed and provider_error.
  std::string error;
};

/// Turns chat-completions chunks into content deltas, complete tool calls
/// (assembled by `index` from fragments), usage and the finish reason.
class delta_assembler {
public:
  chunk_outcome on_data(std::string_view data);

  /// `on_data` without its fast reading of a text-only chunk: the whole
  /// document every time. The same outcome for every input (the fuzzer
  /// compares the two).
  chunk_outcome on_data_read_whole(std::string_view data);

  const std::vector<tool_call>& tool_calls() const {
    return tool_calls_;
  }
  const std::optional<token_usage>& usage() const {
    return usage_;
  }
  const std::optional<std::string>& finish_reason() const {
    return finish_reason_;
  }
  bool saw_done() const {
    return saw_done_;
  }
  const std::string& content() const {
    return content_;
  }

private:
  std::vector<tool_call> tool_calls_;
  std::optional<token_usage> usage_;
  std::optional<std::string> finish_reason_;
  std::string content_;
  bool saw_done_ = false;
};

} // namespace agenttheo
