#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

/// The bytes `text` encodes in standard base64 (with or without padding),
/// or nullopt if it is not base64.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace agenttheo
