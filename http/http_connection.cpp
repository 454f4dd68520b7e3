#include "http/http_connection.hpp"

#include <charconv>
#include <string_view>

#include "config/log.hpp"
#include "metrics/runtime_metrics.hpp"
#include "protocol/accept_encoding.hpp"
#include "protocol/access_policy.hpp"
#include "protocol/origin_policy.hpp"
#include "protocol/query.hpp"
#include "protocol/routes.hpp"
#include "protocol/rerun_body.hpp"
#include "protocol/run_body.hpp"
#include "protocol/security_headers.hpp"
#include "protocol/session_body.hpp"
#include "protocol/transfer_coding.hpp"
#include "protocol/stream_params.hpp"
#include "store/store_inbox.hpp"
#include "util/json_writer.hpp"
#include "web/web_assets.hpp"

namespace agenttheo::http {

namespace {

/// Request bodies are small JSON objects (a command at most).
constexpr std::uint64_t body_limit = 64 * 1024;

/// An idle keep-alive connection, or a slow request, is closed after this.
constexpr auto read_timeout = std::chrono::seconds{30};

/// A file posted to a session's artifacts may take this long to arrive.
constexpr auto upload_timeout = std::chrono::minutes{5};

/// The request is a file posted to a session's artifacts.
bool posts_artifact(const bhttp::request_header<>& head) {
  if (head.method() != bhttp::verb::post)
    return false;
  std::string_view target{head.target().data(), head.target().size()};
  auto absolute = split_absolute_form(target);
  auto path = split_target(absolute ? std::string_view{absolute->origin_form}
                                    : target).first;
  return resolve_route("POST", path).target == route::session_artifacts;
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

/// `"store": {"kind", "lagging", "failing", "pending_bytes",
/// "events_written"}` (`lagging`: new runs get 503 store_lagging).
void health_of_store(json_writer& out, const store_inbox* store) {
  out.key("store").begin_object().field("kind", store ? "sqlite" : "memory");
  if (store)
    out.field("lagging", store->lagging())
      .field("failing", store->failing.load())
      .field("pending_bytes", static_cast<std::uint64_t>(store->pending_bytes()))
      .field("events_written", store->events_written());
  out.end_object();
}

simple_response health(const server_context& ctx) {
  using namespace std::chrono;
  auto uptime = duration_cast<milliseconds>(steady_clock::now() - ctx.started);
  json_writer out;
  out.begin_object()
    .field("status", "ok")
    .field("service", "agenttheo")
    .field("uptime_s", static_cast<double>(uptime.count()) / 1000.0)
    .field("streams", static_cast<std::uint64_t>(ctx.connections.size()))
    .key("llm")
    .begin_object()
    .field("provider", ctx.config.llm.provider)
    .field("model", ctx.config.llm.model)
    .end_object()
    .key("limits")
    .begin_object()
    .field("max_command_length",
           static_cast<std::uint64_t>(ctx.config.max_command_length))
    .end_object();
  health_of_store(out, ctx.store.get());
  out.end_object();
  return json_response(200, out.str());
}

/// Every Transfer-Encoding header's value, in order.
std::vector<std::string_view> transfer_codings(const bhttp::request<bhttp::string_body>& req) {
  std::vector<std::string_view> codings;
  auto [first, last] = req.equal_range(bhttp::field::transfer_encoding);
  for (auto i = first; i != last; ++i)
    codings.push_back(sv(i->value()));
  return codings;
}

/// Who sent it, before routing: a Host the server does not answer to is a
/// page that rebound its own name to this address; a browser's request from
/// another site may use only what `open` routes serve.
std::optional<api_error> refuse_source(const bhttp::request<bhttp::string_body>& req,
                                       access_level access,
                                       const origin_decision& origin,
                                       const host_rules& hosts) {
  if (auto wrong = check_host(sv(req[bhttp::field::host]),
                              req.count(bhttp::field::host), hosts))
    return wrong;
  if (access != access_level::open
      && !fetch_site_allowed(sv(req["Sec-Fetch-Site"]),
                             sv(req[bhttp::field::origin]), origin))
    return api_error::of(api_code::cross_site_request,
                         "a page on another site may not use this endpoint");
  return std::nullopt;
}

/// `after=N` of `/api/runs/{id}/events`: 0 when absent, nullopt when bad.
std::optional<std::uint64_t> parse_after(std::string_view query) {
  auto params = parse_query(query);
  if (!params)
    return std::nullopt;
  auto* text = find_param(*params, "after");
  if (!text)
    return 0;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc{} || end != text->data() + text->size())
    return std::nullopt;
  return value;
}

/// `{id}` of `/api/runs/{messageId}/frames/{id}`: nullopt unless a
/// positive integer.
std::optional<std::uint64_t> parse_frame_id(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()
      || value == 0)
    return std::nullopt;
  return value;
}

/// Routes whose `{id}` is a run's messageId.
bool is_run_route(route target) {
  return target == route::run_events || target == route::run_frames
         || target == route::run_frame || target == route::run_video
         || target == route::run_report || target == route::run_rerun;
}

simple_response preflight(std::string_view allow) {
  simple_response res = no_content();
  res.headers.emplace_back("Allow", std::string{allow});
  res.headers.emplace_back("Access-Control-Allow-Methods", std::string{allow});
  res.headers.emplace_back("Access-Control-Allow-Headers",
                           "Last-Event-ID, Content-Type");
  res.headers.emplace_back("Access-Control-Max-Age", "600");
  return res;
}

} // namespace

http_connection::http_connection(tcp::socket socket, server_context& ctx)
  : stream_(std::move(socket)), ctx_(ctx) {
}

void http_connection::run() {
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&http_connection::do_read,
                                          shared_from_this()));
}

void http_connection::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(ctx_.config.max_header_bytes));
  // Beast checks a Content-Length against the limit as the head ends: the
  // largest (an upload's) until the head says what the request is.
  parser_->body_limit(upload_limit());
  stream_.expires_after(read_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&http_connection::on_header,
                                                     shared_from_this()));
}

void http_connection::on_header(beast::error_code ec, std::size_t bytes) {
  if (ec)
    return on_read(ec, bytes);
  if (posts_artifact(parser_->get())) {
    stream_.expires_after(upload_timeout);
  } else {
    auto length = parser_->content_length();
    if (length && *length > body_limit)
      return on_read(bhttp::error::body_limit, bytes);
    parser_->body_limit(body_limit); // a chunked body is held to it as it comes
  }
  if (parser_->is_done())
    return on_read({}, bytes);
  // A client that asks first (`Expect: 100-continue`: curl's habit for a
  // body past 1 MiB) sends it once told, or after waiting a second.
  if (!beast::iequals(sv(parser_->get()[bhttp::field::expect]), "100-continue"))
    return read_body();
  auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(
    bhttp::status::continue_, parser_->get().version());
  pending_response_ = go_on;
  bhttp::async_write(stream_, *go_on,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->pending_response_.reset();
                       if (ec)
                         return fail(ec, "write");
                       self->read_body();
                     });
}

void http_connection::read_body() {
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&http_connection::on_read,
                                              shared_from_this()));
}

void http_connection::on_read(beast::error_code ec, std::size_t) {
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message)
    return do_close();
  reply_to closing{11, false, false, {}};
  if (ec == bhttp::error::header_limit)
    return send(
      closing, error_response(api_error::of(
                 api_code::headers_too_large,
                 "the request head exceeds "
                   + std::to_string(ctx_.config.max_header_bytes) + " bytes")));
  if (ec == bhttp::error::body_limit)
    return send(closing,
                error_response(api_error::of(
                  api_code::body_too_large,
                  posts_artifact(parser_->get())
                    ? "a posted file may be at most "
                        + std::to_string(ctx_.config.page.max_artifact_bytes)
                        + " bytes (MAX_ARTIFACT_BYTES)"
                    : std::string{"the request body is too large"})));
  if (ec && is_parse_error(ec))
    return send(closing, error_response(api_error::of(
                           api_code::malformed_request,
                           "malformed HTTP request: " + ec.message())));
  if (ec)
    return fail(ec, "read");
  handle(parser_->release());
}

void http_connection::handle(request req) {
  // An absolute-form target names the host itself, in place of Host.
  if (auto absolute = split_absolute_form(sv(req.target()))) {
    req.target(absolute->origin_form);
    req.erase(bhttp::field::host);
    req.set(bhttp::field::host, absolute->authority);
  }
  auto [path, query] = split_target(sv(req.target()));
  auto method = sv(req.method_string());
  // A body framed by anything but chunked was not read as one: what
  // follows on this connection cannot be trusted to be a request.
  if (auto bad = check_transfer_coding(transfer_codings(req)))
    return send({req.version(), false, false, {}}, error_response(*bad));
  auto match = resolve_route(method, path);
  auto access = required_access(match.target);
  // Admin never answers every origin, whatever ALLOWED_ORIGINS says.
  auto origin = check_origin(sv(req[bhttp::field::origin]), sv(req[bhttp::field::host]),
                             ctx_.config.allowed_origins,
                             access != access_level::admin);
  reply_to to{req.version(), req.keep_alive(), method == "HEAD",
              origin.cors_origin};
  // Redacting costs a copy of the target: only for a line that is written.
  if (log_enabled(log_level::debug))
    log(log_level::debug, method, ' ', redact_tokens(sv(req.target())));
  if (auto refused = refuse_source(req, access, origin, ctx_.hosts))
    return send(to, error_response(*refused));
  if (match.target == route::not_found)
    return send(
      to, error_response(api_error::of(api_code::not_found,
                                       "no endpoint at " + std::string{path})));
  if (!match.method_allowed) {
    auto res = error_response(api_error::of(
      api_code::method_not_allowed,
      std::string{method} + " is not allowed on " + std::string{path}));
    res.headers.emplace_back("Allow", std::string{match.allow});
    return send(to, std::move(res));
  }
  if (method == "OPTIONS") {
    if (!origin.allowed)
      return send(
        to, error_response(api_error::of(api_code::origin_not_allowed,
                                         "this origin may not use the API")));
    return send(to, preflight(match.allow));
  }
  if (auto denied = check_access(access,
                                 sv(req[bhttp::field::authorization]), query,
                                 ctx_.config,
                                 match.target == route::admin_stream)) {
    auto res = error_response(*denied);
    res.headers.emplace_back("WWW-Authenticate", "Bearer");
    return send(to, std::move(res));
  }
  beast::error_code peer_ec;
  auto peer = stream_.socket().remote_endpoint(peer_ec);
  client_ = client_of(sv(req[bhttp::field::authorization]), query, ctx_.config,
                      peer_ec ? std::string{"unknown"} : peer.address().to_string());
  switch (match.target) {
    case route::web_asset: {
      auto* asset = find_web_asset(web_asset_path(path));
      simple_response res;
      res.content_type = std::string{asset->content_type};
      res.body = std::string{asset->body};
      res.headers.emplace_back("Cache-Control", "no-cache");
      for (auto& header : security_headers(path, res.content_type))
        res.headers.push_back(std::move(header));
      return send(to, std::move(res));
    }
    case route::health:
      return send(to, health(ctx_));
    case route::tools:
      return send(to, json_response(200, ctx_.bridge->tools_json()));
    case route::stream:
      if (!origin.allowed)
        return send(to,
                    error_response(api_error::of(api_code::origin_not_allowed,
                                                 "runs may not be started from "
                                                 "this origin")));
      return serve_stream(req, to);
    case route::session_stream:
      return serve_session_stream(req, to, match.param);
    case route::websocket:
      if (!origin.allowed)
        return send(
          to, error_response(api_error::of(api_code::origin_not_allowed,
                                           "WebSocket connections may not be "
                                           "opened from this origin")));
      return serve_websocket(std::move(req), to);
    case route::metrics:
      return serve_admin_view(to, actor_bridge::admin_view::metrics);
    case route::admin_actors:
      return serve_admin_view(to, actor_bridge::admin_view::actors);
    case route::admin_stats:
      return serve_admin_view(to, actor_bridge::admin_view::stats);
    case route::admin_nodes:
      return serve_admin_view(to, actor_bridge::admin_view::nodes);
    case route::admin_stream:
      return open_admin_stream(req, to);
    case route::admin_clients:
      return serve_clients(to);
    case route::mcp:
      // MCP's transport: an Origin that is present and not allowed is a
      // 403 on every method (DNS rebinding).
      if (!origin.allowed)
        return send(to, error_response(api_error::of(
                          api_code::origin_not_allowed,
                          "MCP may not be used from this origin")));
      return serve_mcp(req, to);
    default:
      break;
  }
  if (method != "GET" && method != "HEAD" && !origin.allowed)
    return send(
      to, error_response(api_error::of(api_code::origin_not_allowed,
                                       "this origin may not change sessions")));
  if (match.target == route::session_artifacts
      || match.target == route::session_artifact)
    return serve_artifacts(std::move(req), to, match);
  serve_api(req, to, match);
}

void http_connection::serve_api(const request& req, const reply_to& to,
                             const route_match& match) {
  auto method = sv(req.method_string());
  const auto& id = match.param;
  auto id_error = [&](api_code code, const char* what) {
    return error_response(api_error::of(
      code, std::string{what}
              + " must be 1 to 128 characters from A-Z a-z 0-9 . _ : -"));
  };
  if (match.target != route::sessions && match.target != route::admin_disconnect
      && !is_safe_id(id))
    return send(to, is_run_route(match.target)
                      ? id_error(api_code::bad_message_id, "messageId")
                      : id_error(api_code::bad_session, "session"));
  auto reply = answer_api(to);
  switch (match.target) {
    case route::sessions:
      if (method == "POST") {
        auto made = parse_new_session_body(sv(req.body()));
        if (auto* err = std::get_if<api_error>(&made))
          return send(to, error_response(*err));
        auto request = std::get<new_session_request>(std::move(made));
        request.client = client_;
        return ctx_.bridge->create_session(std::move(request), std::move(reply));
      }
      return serve_sessions(to);
    case route::session:
      if (method == "DELETE")
        return ctx_.bridge->cancel_session(id, true, {}, std::move(reply));
      if (method == "PATCH") {
        auto change = parse_update_body(sv(req.body()));
        if (auto* err = std::get_if<api_error>(&change))
          return send(to, error_response(*err));
        auto update = std::get<update_session>(std::move(change));
        update.session_id = id;
        return ctx_.bridge->update_session(std::move(update), std::move(reply));
      }
      return ctx_.bridge->describe_session(id, std::move(reply));
    case route::session_cancel:
      return ctx_.bridge->cancel_session(id, false, {}, std::move(reply));
    case route::admin_session_cancel:
    case route::admin_session_end:
    case route::admin_disconnect:
      return serve_admin_action(to, match, std::move(reply));
    case route::session_interrupt:
    case route::admin_session_interrupt:
    case route::session_pause:
    case route::session_resume:
    case route::session_control:
      return steer(req, to, match, std::move(reply));
    case route::session_runs: {
      auto parsed = parse_run_body(sv(req.body()), id,
                                   ctx_.config.max_command_length);
      if (auto* err = std::get_if<api_error>(&parsed))
        return send(to, error_response(*err));
      auto run = std::get<stream_request>(std::move(parsed));
      run.client = client_;
      return ctx_.bridge->submit_run(std::move(run), std::move(reply));
    }
    case route::run_events: {
      auto [path, query] = split_target(sv(req.target()));
      auto after = parse_after(query);
      if (!after)
        return send(to, error_response(
                          api_error::of(api_code::bad_after,
                                        "after must be a non-negative integer "
                                        "event id")));
      return ctx_.bridge->read_run_events(id, *after, std::move(reply));
    }
    case route::run_frames:
      return ctx_.bridge->read_run_view(id, run_view::frames, 0, std::move(reply));
    case route::run_video:
      return ctx_.bridge->read_run_view(id, run_view::video, 0, std::move(reply));
    case route::run_report:
      return ctx_.bridge->read_run_view(id, run_view::report, 0, std::move(reply));
    case route::run_rerun: {
      auto order = parse_rerun_body(sv(req.body()), id);
      if (auto* err = std::get_if<api_error>(&order))
        return send(to, error_response(*err));
      auto rerun = std::get<rerun_order>(std::move(order));
      rerun.client = client_;
      return ctx_.bridge->rerun_run(std::move(rerun), std::move(reply));
    }
    case route::run_frame: {
      auto frame = parse_frame_id(match.param2);
      if (!frame)
        return send(to, error_response(api_error::of(
                          api_code::bad_frame,
                          "a frame id is a positive integer, as the run's "
                          "frames index lists it")));
      return ctx_.bridge->read_run_view(id, run_view::frame, *frame, std::move(reply));
    }
    default:
      return send(to, error_response(api_error::of(api_code::not_found,
                                                   "no such endpoint")));
  }
}

/// Deciding an interrupt, pausing, resuming, taking control: the session
/// reads the body, which it alone can check (the interrupt, the tool).
void http_connection::steer(const request& req, const reply_to& to,
                            const route_match& match, api_callback reply) {
  steer_session msg;
  msg.session_id = match.param;
  msg.body_json = std::string{sv(req.body())};
  msg.client = client_;
  msg.by = match.target == route::admin_session_interrupt ? "operator" : "api";
  switch (match.target) {
    case route::session_pause: msg.action = steer_action::pause; break;
    case route::session_resume: msg.action = steer_action::resume; break;
    case route::session_control: msg.action = steer_action::control; break;
    default:
      if (!is_safe_id(match.param2))
        return send(to, error_response(api_error::of(
                          api_code::unknown_interrupt,
                          "no interrupt '" + match.param2.substr(0, 128)
                            + "' in session '" + match.param + "'")));
      if (match.target == route::admin_session_interrupt)
        count(counter::admin_actions);
      msg.action = steer_action::resolve;
      msg.interrupt_id = match.param2;
  }
  ctx_.bridge->steer_session(std::move(msg), std::move(reply));
}

void http_connection::serve_stream(const request& req, const reply_to& to) {
  auto [path, query] = split_target(sv(req.target()));
  auto params = parse_stream_params(query, sv(req["Last-Event-ID"]),
                                    ctx_.config.max_command_length);
  if (auto* err = std::get_if<api_error>(&params))
    return send(to, error_response(*err));
  open_sse(req, std::get<stream_request>(std::move(params)), to.cors_origin);
}

void http_connection::serve_session_stream(const request& req, const reply_to& to,
                                        const std::string& session_id) {
  if (!is_safe_id(session_id))
    return send(to, error_response(
                      api_error::of(api_code::bad_session,
                                    "session must be 1 to 128 characters from "
                                    "A-Z a-z 0-9 . _ : -")));
  auto [path, query] = split_target(sv(req.target()));
  auto params = parse_stream_params(query, sv(req["Last-Event-ID"]),
                                    ctx_.config.max_command_length);
  if (auto* err = std::get_if<api_error>(&params))
    return send(to, error_response(*err));
  auto request = std::get<stream_request>(std::move(params));
  request.whole_session = true;
  request.session_id = session_id;
  request.command.clear();
  request.message_id.clear();
  request.cancel_on_disconnect = false;
  open_sse(req, std::move(request), to.cors_origin);
}

void http_connection::serve_websocket(request req, const reply_to& to) {
  if (!beast::iequals(sv(req[bhttp::field::upgrade]), "websocket")) {
    auto res = error_response(api_error::of(
      api_code::upgrade_required, "/ws is a WebSocket endpoint: connect with a "
                                  "WebSocket client"));
    res.headers.emplace_back("Upgrade", "websocket");
    return send(to, std::move(res));
  }
  auto lease = stream_lease(to);
  if (!lease)
    return;
  const auto& streams = ctx_.config.streams;
  ws_writer_options options;
  options.queue_limit = streams.send_queue_limit;
  options.max_message = streams.ws_max_message;
  options.deflate = streams.ws_deflate;
  options.deflate_threshold = streams.ws_deflate_threshold;
  options.idle_timeout = 2 * streams.heartbeat;
  options.lanes = ctx_.config.threads_per_io_context();
  // The socket now belongs to the WebSocket; this session ends here.
  auto writer = make_ws_writer(std::move(stream_), std::move(req), options,
                               ctx_.connections);
  writer->hold(std::move(lease));
  ctx_.bridge->open_websocket(
    std::move(writer), {ctx_.config.max_command_length, client_,
                        ctx_.config.clients.ws_messages_per_second,
                        ctx_.config.clients.input_events_per_second});
}

std::shared_ptr<void> http_connection::stream_lease(const reply_to& to) {
  auto lease = ctx_.streams_per_client.open(client_);
  if (!lease)
    // No Retry-After: nobody knows when one of the client's streams ends.
    send(to, error_response(api_error::of(
               api_code::rate_limited,
               "this client (" + client_ + ") has its maximum of "
                 + std::to_string(ctx_.streams_per_client.limit())
                 + " streams open (CLIENT_MAX_STREAMS): close one first")));
  return lease;
}

sse_writer_options http_connection::sse_options() const {
  sse_writer_options options;
  options.queue_limit = ctx_.config.streams.send_queue_limit;
  options.heartbeat = ctx_.config.streams.heartbeat;
  options.lanes = ctx_.config.threads_per_io_context();
  return options;
}

void http_connection::open_sse(const request& req, stream_request request,
                            const std::string& cors_origin) {
  auto lease = stream_lease({req.version(), req.keep_alive(), false, cors_origin});
  if (!lease)
    return;
  request.client = client_;
  auto options = sse_options();
  options.gzip = ctx_.config.streams.sse_gzip
                 && accepts_gzip(sv(req[bhttp::field::accept_encoding]));
  // The socket now belongs to the stream; this session ends here.
  auto writer = make_sse_writer(std::move(stream_), req.version(), options,
                                ctx_.connections);
  writer->hold(std::move(lease));
  ctx_.bridge->open_stream(std::move(writer), std::move(request), cors_origin);
}

void http_connection::serve_mcp(const request& req, const reply_to& to) {
  auto reply = [self = shared_from_this(), to, version = req.version()](mcp_answer answer) {
    net::post(self->stream_.get_executor(), [self, to, version,
                                             answer = std::move(answer)]() mutable {
      if (answer.stream)
        return self->open_mcp_stream(version, to, std::move(answer.run));
      if (answer.listen)
        return self->open_mcp_listen(version, to, answer);
      simple_response res;
      res.status = answer.status;
      if (answer.body.empty())
        res.content_type.clear();
      res.body = answer.body;
      if (!answer.mcp_session.empty())
        res.headers.emplace_back("Mcp-Session-Id", answer.mcp_session);
      self->send(to, std::move(res));
    });
  };
  std::string session{sv(req["Mcp-Session-Id"])};
  if (req.method() == bhttp::verb::delete_)
    return ctx_.bridge->mcp_end({std::move(session), client_}, std::move(reply));
  if (req.method() == bhttp::verb::get || req.method() == bhttp::verb::head)
    return resume_mcp(req, to, std::move(session), std::move(reply));
  ctx_.bridge->mcp_message({std::move(session), std::string{sv(req["MCP-Protocol-Version"])},
                            std::string{sv(req.body())}, client_},
                           std::move(reply));
}

/// `GET /mcp`: with `Last-Event-ID`, a broken run_agent stream resumes;
/// without, the MCP session's stream of the server's own messages.
void http_connection::resume_mcp(const request& req, const reply_to& to,
                                 std::string session, actor_bridge::mcp_callback reply) {
  auto last = sv(req["Last-Event-ID"]);
  if (last.empty())
    return ctx_.bridge->mcp_resume({std::move(session), client_, 0, true}, std::move(reply));
  auto after = parse_after("after=" + std::string{last});
  if (!after)
    return send(to, error_response(api_error::of(
                      api_code::bad_last_event_id,
                      "Last-Event-ID must be a non-negative integer event id")));
  ctx_.bridge->mcp_resume({std::move(session), client_, *after}, std::move(reply));
}

/// The socket, handed to an MCP stream (none: the client holds its
/// maximum of streams, and was told so).
std::shared_ptr<sse_writer> http_connection::mcp_writer(unsigned version,
                                                        const reply_to& to) {
  auto lease = stream_lease(to);
  if (!lease)
    return nullptr;
  auto options = sse_options();
  auto writer = make_sse_writer(std::move(stream_), version, options, ctx_.connections);
  writer->hold(std::move(lease));
  return writer;
}

void http_connection::open_mcp_stream(unsigned version, const reply_to& to,
                                      mcp_run_order order) {
  if (auto writer = mcp_writer(version, to))
    ctx_.bridge->mcp_run(std::move(writer), std::move(order), to.cors_origin);
}

void http_connection::open_mcp_listen(unsigned version, const reply_to& to,
                                      const mcp_answer& answer) {
  if (auto writer = mcp_writer(version, to))
    ctx_.bridge->mcp_listen(std::move(writer), answer, to.cors_origin);
}

api_callback http_connection::answer_api(const reply_to& to) {
  return [self = shared_from_this(), to](api_result result) {
    net::post(self->stream_.get_executor(),
              [self, to, result = std::move(result)]() mutable {
                auto res = json_response(result.status, std::move(result.json));
                if (!result.content_type.empty())
                  res.content_type = std::move(result.content_type);
                // A run's report runs its own inline script, and nothing else.
                if (res.content_type.rfind("text/html", 0) == 0)
                  res.headers.emplace_back("Content-Security-Policy",
                                           std::string{report_content_policy});
                if (result.retry_after_s > 0)
                  res.headers.emplace_back("Retry-After",
                                           std::to_string(result.retry_after_s));
                self->send(to, std::move(res));
              });
  };
}

std::function<void(std::optional<std::string>)>
http_connection::answer_manager_json(const reply_to& to) {
  return [self = shared_from_this(), to](std::optional<std::string> json) {
    net::post(self->stream_.get_executor(), [self, to, json = std::move(json)] {
      if (!json)
        return self->send(
          to, error_response(api_error::of(api_code::unavailable,
                                           "the session manager did not "
                                           "answer in time")));
      self->send(to, json_response(200, *json));
    });
  };
}

void http_connection::serve_clients(const reply_to& to) {
  ctx_.bridge->read_clients(ctx_.streams_per_client.open_now(),
                            answer_manager_json(to));
}

void http_connection::serve_sessions(const reply_to& to) {
  ctx_.bridge->list_sessions(answer_manager_json(to));
}

void http_connection::serve_admin_view(const reply_to& to,
                                    actor_bridge::admin_view view) {
  ctx_.bridge->read_admin(view, [self = shared_from_this(), to, view](
                                  std::optional<std::string> text) {
    net::post(self->stream_.get_executor(), [self, to, view, text = std::move(text)] {
      if (!text)
        return self->send(
          to, error_response(api_error::of(
                api_code::unavailable, "the registry did not answer in time")));
      auto res = json_response(200, *text);
      if (view == actor_bridge::admin_view::metrics)
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
      self->send(to, std::move(res));
    });
  });
}

/// The operator's actions: the client of the session or connection sees
/// an event saying an operator did it.
void http_connection::serve_admin_action(const reply_to& to, const route_match& match,
                                      api_callback reply) {
  const auto& id = match.param;
  count(counter::admin_actions);
  switch (match.target) {
    case route::admin_session_cancel:
      return ctx_.bridge->cancel_session(id, false, "cancelled by an operator",
                                         std::move(reply));
    case route::admin_session_end:
      return ctx_.bridge->cancel_session(id, true, "ended by an operator",
                                         std::move(reply));
    default: {
      std::uint64_t actor = 0;
      auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), actor);
      if (ec != std::errc{} || end != id.data() + id.size())
        return send(
          to, error_response(api_error::of(
                api_code::bad_actor, "a connection is named by its actor id, "
                                     "a number from /api/admin/actors")));
      return ctx_.bridge->disconnect(actor, std::move(reply));
    }
  }
}

void http_connection::open_admin_stream(const request& req, const reply_to& to) {
  auto options = sse_options();
  auto writer = make_sse_writer(std::move(stream_), req.version(), options,
                                ctx_.connections);
  ctx_.bridge->open_admin_stream(std::move(writer), to.cors_origin);
}

void http_connection::send(const reply_to& to, simple_response res) {
  if (!to.cors_origin.empty()) {
    res.headers.emplace_back("Access-Control-Allow-Origin", to.cors_origin);
    res.headers.emplace_back("Vary", "Origin");
  }
  send_raw(to_beast(res, to.version, to.keep_alive, to.head_only));
}

void http_connection::send_raw(bhttp::response<bhttp::string_body> res) {
  auto owned = std::make_shared<bhttp::response<bhttp::string_body>>(
    std::move(res));
  pending_response_ = owned;
  bhttp::async_write(stream_, *owned,
                     beast::bind_front_handler(&http_connection::on_write,
                                               shared_from_this(),
                                               owned->keep_alive()));
}

void http_connection::on_write(bool keep_alive, beast::error_code ec,
                            std::size_t) {
  pending_response_.reset();
  if (ec)
    return fail(ec, "write");
  if (!keep_alive)
    return do_close();
  do_read();
}

void http_connection::do_close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

} // namespace agenttheo::http
