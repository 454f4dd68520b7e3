#pragma once

#include <string>
#include <string_view>

namespace agenttheo {

/// A WebSocket binary message carrying an image (a `screenshot` event or a
/// screencast frame): a 4-byte big-endian length N, N bytes of a JSON header
/// (`type`, `session`, `id`, `messageId`, `mime`, ...), then the raw bytes.
std::string make_binary_frame(std::string_view header_json,
                              std::string_view payload);

} // namespace agenttheo
