// The artifact endpoints of http_connection (see protocol/artifact_api.hpp):
// a session's files listed, served as attachments, and posted. Each first
// asks the actors whether the session exists (live or kept by the store),
// then touches only the session's own folder.

#include <filesystem>

#include "http/http_connection.hpp"
#include "protocol/artifact_api.hpp"
#include "protocol/query.hpp"
#include "protocol/stream_params.hpp"
#include "store/artifact_folder.hpp"
#include "util/artifact_name.hpp"

namespace agenttheo::http {

namespace {

/// Slack over MAX_ARTIFACT_BYTES for a multipart form's own framing.
constexpr std::uint64_t multipart_slack = 64 * 1024;

simple_response refused(api_code code, std::string message) {
  return error_response(api_error::of(code, std::move(message)));
}

} // namespace

std::uint64_t http_connection::upload_limit() const {
  return ctx_.config.page.max_artifact_bytes + multipart_slack;
}

void http_connection::serve_artifacts(request req, const reply_to& to,
                                      const route_match& match) {
  const auto& id = match.param;
  if (!is_safe_id(id))
    return send(to, refused(api_code::bad_session,
                            "session must be 1 to 128 characters from A-Z a-z "
                            "0-9 . _ : -"));
  auto folder = artifact_folder::of(ctx_.config.page.artifacts_dir, id);
  if (!folder)
    return send(to, refused(api_code::bad_session,
                            "session '" + id + "' cannot name a folder for files"));
  std::string name;
  if (match.target == route::session_artifact) {
    auto decoded = artifact_name_from_path(match.param2);
    if (auto* err = std::get_if<api_error>(&decoded))
      return send(to, error_response(*err));
    name = std::get<std::string>(std::move(decoded));
  }
  auto owned = std::make_shared<request>(std::move(req));
  ctx_.bridge->describe_session(
    id, [self = shared_from_this(), to, owned, folder = *folder,
         name = std::move(name), target = match.target](api_result found) {
      net::post(self->stream_.get_executor(), [=]() {
        if (found.status != 200)
          return self->send(to, json_response(found.status, found.json));
        self->on_artifacts(*owned, to, folder, target, name);
      });
    });
}

void http_connection::on_artifacts(const request& req, const reply_to& to,
                                   const artifact_folder& folder, route target,
                                   const std::string& name) {
  const auto session = folder.path().filename().string();
  if (target == route::session_artifact) {
    auto file = folder.find(name);
    if (!file)
      return send(to, refused(api_code::unknown_artifact,
                              "no file '" + name + "' in session '" + session
                                + "'s artifacts"));
    return send_file(to, *file, name);
  }
  if (req.method() != bhttp::verb::post)
    return send(to, json_response(200, artifact_list_json(
                                         session, folder.list(),
                                         ctx_.config.page.max_artifact_bytes)));
  auto [path, query] = split_target(sv(req.target()));
  auto upload = parse_artifact_upload(sv(req[bhttp::field::content_type]), query,
                                      sv(req.body()));
  if (auto* err = std::get_if<api_error>(&upload))
    return send(to, error_response(*err));
  auto& posted = std::get<artifact_upload>(upload);
  auto stored = folder.add(posted.name, posted.bytes,
                           ctx_.config.page.max_artifact_bytes);
  if (auto* why = std::get_if<std::string>(&stored))
    return send(to, refused(api_code::artifacts_full, *why));
  auto res = json_response(201, artifact_json(session, std::get<artifact_info>(stored)));
  send(to, std::move(res));
}

void http_connection::send_file(const reply_to& to, const std::filesystem::path& file,
                                const std::string& name) {
  beast::error_code ec;
  bhttp::file_body::value_type body;
  body.open(file.c_str(), beast::file_mode::scan, ec);
  if (ec)
    return send(to, refused(api_code::unknown_artifact,
                            "cannot open '" + name + "': " + ec.message()));
  auto size = body.size();
  auto res = std::make_shared<bhttp::response<bhttp::file_body>>(
    std::piecewise_construct, std::make_tuple(std::move(body)),
    std::make_tuple(bhttp::status::ok, to.version));
  res->set(bhttp::field::server, "agenttheo");
  res->set(bhttp::field::content_type, artifact_mime(name));
  res->set(bhttp::field::content_disposition, content_disposition(name));
  res->set(bhttp::field::cache_control, "no-store");
  // Whatever the file holds, it never runs as a page of this origin.
  res->set("X-Content-Type-Options", "nosniff");
  res->set("Content-Security-Policy", "sandbox; default-src 'none'");
  if (!to.cors_origin.empty()) {
    res->set("Access-Control-Allow-Origin", to.cors_origin);
    res->set(bhttp::field::vary, "Origin");
  }
  res->keep_alive(to.keep_alive);
  res->content_length(size);
  if (to.head_only) {
    // The head alone: Content-Length says what GET would send.
    auto head = std::make_shared<bhttp::response<bhttp::empty_body>>(
      bhttp::status::ok, to.version);
    head->base() = res->base();
    pending_response_ = head;
    return bhttp::async_write(stream_, *head,
                              beast::bind_front_handler(&http_connection::on_write,
                                                        shared_from_this(),
                                                        to.keep_alive));
  }
  pending_response_ = res;
  bhttp::async_write(stream_, *res,
                     beast::bind_front_handler(&http_connection::on_write,
                                               shared_from_this(), to.keep_alive));
}

} // namespace agenttheo::http
