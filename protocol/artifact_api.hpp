#pragma once

// What the artifact endpoints read and write, without the socket:
// `GET /api/sessions/{id}/artifacts` (the list), `GET .../artifacts/{name}`
// (one file, as an attachment) and `POST .../artifacts` (a file, as a
// multipart form or a raw body named by `?name=`).

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "messages/api_error.hpp"
#include "util/artifact_name.hpp"

namespace agenttheo {

/// The name in `/artifacts/{name}` (percent-encoded), decoded and checked.
std::variant<std::string, api_error> artifact_name_from_path(std::string_view segment);

/// A posted file: its name as the client gave it (sanitised later) and its
/// bytes, inside the request body.
struct artifact_upload {
  std::string name;
  std::string_view bytes;
};

/// The file a `POST .../artifacts` carries: a multipart form's first file
/// part, or the raw body named by `?name=` (default `upload`).
std::variant<artifact_upload, api_error>
parse_artifact_upload(std::string_view content_type, std::string_view query,
                      std::string_view body);

/// `{"name","mime","bytes","url"}` of one file.
std::string artifact_json(std::string_view session, const artifact_info& file);

/// `{"session","artifacts":[...],"bytes","max_bytes"}`.
std::string artifact_list_json(std::string_view session,
                               const std::vector<artifact_info>& files,
                               std::uint64_t max_bytes);

/// `attachment; filename="..."; filename*=UTF-8''...` (RFC 6266): an
/// ASCII fallback with `_` for what it cannot say, and the exact name.
std::string content_disposition(std::string_view name);

} // namespace agenttheo
