#include "protocol/ws_protocol.hpp"

#include <rapidjson/document.h>

#include "protocol/stream_params.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

using value = rapidjson::Value;

ws_bad_message bad(api_code code, std::string message, std::string ref = {}) {
  return {api_error::of(code, std::move(message)), std::move(ref)};
}

/// The reader's first type error, as the client's `bad_message`.
std::optional<ws_bad_message> type_error(const json_reader& r) {
  if (!r.error())
    return std::nullopt;
  return bad(api_code::bad_message, *r.error());
}

/// The `stream_mode`, `batch_ms`, `frames` and target (`session` /
/// `messageId`) members shared by `run` and `subscribe`.
std::optional<ws_bad_message> read_common(json_reader& r, ws_subscribe& out) {
  if (auto mode = r.text("stream_mode")) {
    auto mask = parse_stream_mode(*mode);
    if (auto* err = std::get_if<api_error>(&mask))
      return ws_bad_message{*err, {}};
    out.request.modes = std::get<mode_mask>(mask);
  }
  if (auto batch = r.count("batch_ms")) {
    if (auto err = check_batch_ms(*batch))
      return ws_bad_message{*err, {}};
    out.request.batch_ms = static_cast<std::uint32_t>(*batch);
  }
  if (auto frames = r.boolean("frames"))
    out.request.frames = *frames;
  if (auto session = r.text("session")) {
    if (!is_safe_id(*session))
      return bad(api_code::bad_session,
                 "session must be 1 to 128 characters from "
                 "A-Z a-z 0-9 . _ : -");
    out.request.session_id = std::string{*session};
  }
  if (auto id = r.text("messageId")) {
    if (!is_safe_id(*id))
      return bad(api_code::bad_message_id,
                 "messageId must be 1 to 128 characters "
                 "from A-Z a-z 0-9 . _ : -");
    out.request.message_id = std::string{*id};
  }
  return type_error(r);
}

ws_client_message parse_run(const value& doc, std::size_t max_command_length) {
  json_reader r{doc};
  ws_subscribe out;
  if (auto err = read_common(r, out))
    return *err;
  auto command = r.text("command");
  if (auto err = type_error(r))
    return *err;
  if (!command || command->empty())
    return bad(api_code::missing_command, "run needs a command");
  if (auto err = check_command(*command, max_command_length))
    return ws_bad_message{*err, {}};
  out.request.command = std::string{*command};
  if (auto strategy = r.text("multitask")) {
    auto parsed = parse_strategy(*strategy);
    if (auto* err = std::get_if<api_error>(&parsed))
      return ws_bad_message{*err, {}};
    out.request.strategy = std::get<multitask>(parsed);
  }
  if (auto steps = r.count("max_steps")) {
    if (auto err = check_max_steps(*steps))
      return ws_bad_message{*err, {}};
    out.request.max_steps = *steps;
  }
  if (auto err = read_limits(member_text(r), out.request))
    return ws_bad_message{*err, {}};
  if (auto err = read_steering(member_text(r), out.request))
    return ws_bad_message{*err, {}};
  if (auto err = type_error(r))
    return *err;
  return out;
}

ws_client_message parse_subscribe(const value& doc) {
  json_reader r{doc};
  ws_subscribe out;
  if (auto err = read_common(r, out))
    return *err;
  auto& req = out.request;
  if (req.session_id.empty() == req.message_id.empty())
    return bad(api_code::bad_target,
               "subscribe needs either a session or a messageId");
  // A session alone follows every run of it; a messageId follows that run.
  req.whole_session = req.message_id.empty();
  if (auto after = r.count("lastEventId")) {
    req.has_last_event_id = true;
    req.last_event_id = *after;
  }
  if (auto err = type_error(r))
    return *err;
  return out;
}

ws_client_message parse_target(const value& doc, bool cancel) {
  json_reader r{doc};
  auto session = r.text("session");
  auto id = cancel ? std::nullopt : r.text("messageId");
  if (auto err = type_error(r))
    return *err;
  if (cancel) {
    if (!session || !is_safe_id(*session))
      return bad(api_code::bad_session, "cancel needs the session to stop");
    return ws_cancel{std::string{*session}, {}};
  }
  if (session.has_value() == id.has_value())
    return bad(api_code::bad_target,
               "unsubscribe needs either a session or a messageId");
  return ws_unsubscribe{session ? "session:" + std::string{*session}
                                : "run:" + std::string{*id},
                        {}};
}

/// `resolve`, `pause`, `resume`, `control`, `input`: the session checks
/// the rest (the decision, the holder, the event).
ws_client_message parse_steer(const value& doc, std::string_view text,
                              steer_action action) {
  json_reader r{doc};
  ws_steer out;
  auto& req = out.request;
  req.action = action;
  req.by = "ws";
  auto session = r.text("session");
  if (auto err = type_error(r))
    return *err;
  if (!session || !is_safe_id(*session))
    return bad(api_code::bad_session, "this message needs the session it steers");
  req.session_id = std::string{*session};
  req.body_json = std::string{text};
  if (action == steer_action::resolve) {
    auto id = r.text("interrupt_id");
    if (auto err = type_error(r))
      return *err;
    if (!id || !is_safe_id(*id))
      return bad(api_code::bad_message, "resolve needs the interrupt_id it decides");
    req.interrupt_id = std::string{*id};
  }
  if (action == steer_action::input) {
    const auto* event = r.any("event");
    if (!event || !event->IsObject())
      return bad(api_code::bad_input_event, "input needs its event, a JSON object");
    req.body_json = to_json(*event);
  }
  return out;
}

} // namespace

ws_client_message parse_ws_message(std::string_view text,
                                   std::size_t max_command_length) {
  if (!is_valid_utf8(text))
    return bad(api_code::bad_json, "a message must be valid UTF-8");
  json_document doc{text};
  if (!doc.parsed_object())
    return bad(api_code::bad_json,
               "every message must be a JSON object with a type");
  json_reader r{doc};
  auto ref_text = r.text("ref");
  if (r.error() || (ref_text && ref_text->size() > 128))
    return bad(api_code::bad_message,
               "ref must be a string of at most 128 characters");
  std::string ref{ref_text.value_or("")};
  auto type = r.text("type").value_or("");
  if (type.empty())
    return bad(api_code::bad_message, "every message needs a type", ref);
  ws_client_message msg;
  if (type == "run")
    msg = parse_run(doc.root(), max_command_length);
  else if (type == "subscribe")
    msg = parse_subscribe(doc.root());
  else if (type == "unsubscribe")
    msg = parse_target(doc.root(), false);
  else if (type == "cancel")
    msg = parse_target(doc.root(), true);
  else if (type == "resolve")
    msg = parse_steer(doc.root(), text, steer_action::resolve);
  else if (type == "pause")
    msg = parse_steer(doc.root(), text, steer_action::pause);
  else if (type == "resume")
    msg = parse_steer(doc.root(), text, steer_action::resume);
  else if (type == "control")
    msg = parse_steer(doc.root(), text, steer_action::control);
  else if (type == "input")
    msg = parse_steer(doc.root(), text, steer_action::input);
  else if (type == "ping")
    msg = ws_ping{};
  else
    msg = bad(api_code::unknown_type,
              "unknown message type '" + std::string{type}
                + "' (run, subscribe, unsubscribe, cancel, resolve, pause, "
                  "resume, control, input, ping)");
  std::visit([&](auto& m) { m.ref = ref; }, msg);
  return msg;
}

std::string subscription_key(const stream_request& request) {
  return request.whole_session ? "session:" + request.session_id
                               : "run:" + request.message_id;
}

std::string ws_error(const api_error& error, std::string_view ref) {
  json_writer data;
  data.begin_object()
    .field("status", static_cast<unsigned>(error.status))
    .field("code", error.code)
    .field("message", error.message);
  if (error.retry_after_s > 0)
    data.field("retry_after", static_cast<std::uint64_t>(error.retry_after_s));
  data.end_object();
  return ws_reply("error", ref, data.str());
}

std::string ws_reply(std::string_view type, std::string_view ref,
                     std::string_view data_json) {
  json_writer out;
  out.begin_object().field("type", type);
  if (!ref.empty())
    out.field("ref", ref);
  out.key("data").raw(data_json).end_object();
  return out.str();
}

} // namespace agenttheo
