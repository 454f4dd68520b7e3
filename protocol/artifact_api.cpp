#include "protocol/artifact_api.hpp"

#include "protocol/multipart_body.hpp"
#include "protocol/query.hpp"
#include "util/json_writer.hpp"
#include "util/percent_encoding.hpp"

namespace agenttheo {

namespace {

void write_file(json_writer& out, std::string_view session,
                const artifact_info& file) {
  out.begin_object()
    .field("name", file.name)
    .field("mime", file.mime)
    .field("bytes", file.bytes)
    .field("url", artifact_url(session, file.name))
    .end_object();
}

} // namespace

std::variant<std::string, api_error> artifact_name_from_path(std::string_view segment) {
  auto name = percent_decode(segment);
  if (!name || !is_artifact_name(*name))
    return api_error::of(api_code::bad_artifact_name,
                         "an artifact is named by its file name alone (no "
                         "path, no leading dot): GET /api/sessions/{id}/"
                         "artifacts lists them");
  return std::move(*name);
}

std::variant<artifact_upload, api_error>
parse_artifact_upload(std::string_view content_type, std::string_view query,
                      std::string_view body) {
  if (auto boundary = multipart_boundary(content_type)) {
    auto part = first_posted_file(body, *boundary);
    if (auto* why = std::get_if<std::string>(&part))
      return api_error::of(api_code::bad_upload, *why);
    auto& file = std::get<posted_file>(part);
    if (file.data.empty())
      return api_error::of(api_code::bad_upload, "the posted file is empty");
    return artifact_upload{std::move(file.filename), file.data};
  }
  auto params = parse_query(query);
  if (!params)
    return api_error::of(api_code::bad_query, "the query string is malformed");
  if (body.empty())
    return api_error::of(api_code::bad_upload,
                         "post the file as the body (named by ?name=) or as "
                         "a multipart form's file part");
  auto* name = find_param(*params, "name");
  return artifact_upload{name ? *name : std::string{"upload"}, body};
}

std::string artifact_json(std::string_view session, const artifact_info& file) {
  json_writer out;
  write_file(out, session, file);
  return out.str();
}

std::string artifact_list_json(std::string_view session,
                               const std::vector<artifact_info>& files,
                               std::uint64_t max_bytes) {
  std::uint64_t held = 0;
  json_writer out;
  out.begin_object().field("session", session).key("artifacts").begin_array();
  for (const auto& file : files) {
    held += file.bytes;
    write_file(out, session, file);
  }
  out.end_array().field("bytes", held).field("max_bytes", max_bytes).end_object();
  return out.str();
}

std::string content_disposition(std::string_view name) {
  std::string ascii;
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    ascii += byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\' ? '_' : c;
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''"
         + percent_encode(name);
}

} // namespace agenttheo
