#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

/// The bytes `text` encodes in standard base64 (with or without padding),
/// or nullopt if it is not base64.
std::optional<std::string> base64_decode(std::string_view text);

/// `bytes` in standard base64, padded.
std::string base64_encode(std::string_view bytes);

} // namespace agenttheo
