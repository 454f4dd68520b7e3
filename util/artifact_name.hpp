#pragma once

// What a session's artifact (a download, an uploaded file) may be called.
// A name is one path component: never `..`, no slash or backslash, no
// control character, no leading dot (the folder's own work files start
// with one), valid UTF-8, at most max_artifact_name bytes. Names that come
// from outside (a page's suggested file name, an upload's) are sanitised
// into that shape; a name asked for by a client or the model must already
// have it, so nothing outside the folder can be named.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace agenttheo {

constexpr std::size_t max_artifact_name = 120;

/// One artifact as a listing shows it.
struct artifact_info {
  std::string name;
  std::string mime;
  std::uint64_t bytes = 0;
};

/// `raw` as a safe name: its last path component, control and reserved
/// characters as `_`, leading and trailing dots and spaces dropped, cut to
/// max_artifact_name bytes keeping a short extension; `fallback` if
/// nothing is left.
std::string sanitize_artifact_name(std::string_view raw,
                                   std::string_view fallback = "file");

/// `name` is a name sanitize_artifact_name would leave as it is.
bool is_artifact_name(std::string_view name);

/// `name`, or `name (2).ext`, `name (3).ext`, ... : the first that `taken`
/// says is free.
std::string unique_artifact_name(const std::string& name,
                                 const std::function<bool(const std::string&)>& taken);

/// Where the API serves it: `/api/sessions/{session}/artifacts/{name}`,
/// both percent-encoded.
std::string artifact_url(std::string_view session, std::string_view name);

/// The media type its extension says (application/octet-stream if none).
std::string_view artifact_mime(std::string_view name);

} // namespace agenttheo
