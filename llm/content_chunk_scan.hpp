#pragma once

#include <optional>
#include <string_view>

#include "llm/content_chunk.hpp"

namespace agenttheo {

/// The commonest chunk read by hand, before rapidjson's reader is asked: an
/// object of scalars with `choices`, each choice's `delta` holding a
/// `content` string or null. Strings with an escape, numbers other than
/// integers, any nested value other than those two, a repeated key, or
/// anything that is not JSON: nothing, and `read_content_chunk` reads the
/// chunk as before. Whatever it does read, it reads as the reader would.
///
/// Why: rapidjson's reader spent ~3,600 instructions on a token's 170-byte
/// chunk (callgrind), most of them copying strings a byte at a time.
std::optional<content_chunk> scan_content_chunk(std::string_view json);

} // namespace agenttheo
