#pragma once

// The one part of a `multipart/form-data` body (RFC 7578) that matters to
// an upload: the first that carries a file. What a browser's form or
// `curl -F file=@x` sends.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace agenttheo {

struct posted_file {
  /// As the client named it (to be sanitised).
  std::string filename;
  /// Its bytes, inside the body.
  std::string_view data;
};

/// The boundary a `multipart/form-data` Content-Type names; nullopt for
/// another type or a missing or malformed boundary.
std::optional<std::string> multipart_boundary(std::string_view content_type);

/// The first part of `body` with a filename, or a sentence saying what is
/// wrong with the body.
std::variant<posted_file, std::string> first_posted_file(std::string_view body,
                                                         std::string_view boundary);

} // namespace agenttheo
