#include "protocol/ws_protocol.hpp"

#include <rapidjson/document.h>

#include "protocol/stream_params.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

using value = rapidjson::Value;

ws_bad_message bad(api_code code, std::string message, std::string ref = {}) {
  return {api_error::of(code, std::move(message)), std::move(ref)};
}

std::string_view text_of(const value& v) {
  return {v.GetString(), v.GetStringLength()};
}

/// Reads the members of one client message, each checked for its type.
class fields {
public:
  explicit fields(const value& object) : object_(object) {
  }

  /// The string member `name`: nullptr when absent; sets `error` when it is
  /// not a string.
  const value* text(const char* name) {
    auto* v = find(name);
    if (v && !v->IsString()) {
      fail(std::string{name} + " must be a string");
      return nullptr;
    }
    return v;
  }

  const value* number(const char* name) {
    auto* v = find(name);
    if (v && !v->IsUint64()) {
      fail(std::string{name} + " must be a non-negative integer");
      return nullptr;
    }
    return v;
  }

  const value* boolean(const char* name) {
    auto* v = find(name);
    if (v && !v->IsBool()) {
      fail(std::string{name} + " must be true or false");
      return nullptr;
    }
    return v;
  }

  std::optional<ws_bad_message> error;

private:
  const value* find(const char* name) const {
    auto i = object_.FindMember(name);
    return i == object_.MemberEnd() || i->value.IsNull() ? nullptr : &i->value;
  }

  void fail(std::string message) {
    if (!error)
      error = bad(api_code::bad_message, std::move(message));
  }

  const value& object_;
};

/// The `stream_mode`, `batch_ms`, `frames` and target (`session` / `messageId`) members
/// shared by `run` and `subscribe`.
std::optional<ws_bad_message> read_common(fields& f, ws_subscribe& out) {
  if (auto* mode = f.text("stream_mode")) {
    auto mask = parse_stream_mode(text_of(*mode));
    if (auto* err = std::get_if<api_error>(&mask))
      return ws_bad_message{*err, {}};
    out.request.modes = std::get<mode_mask>(mask);
  }
  if (auto* batch = f.number("batch_ms")) {
    if (auto err = check_batch_ms(batch->GetUint64()))
      return ws_bad_message{*err, {}};
    out.request.batch_ms = static_cast<std::uint32_t>(batch->GetUint64());
  }
  if (auto* frames = f.boolean("frames"))
    out.request.frames = frames->GetBool();
  if (auto* session = f.text("session")) {
    if (!is_safe_id(text_of(*session)))
      return bad(api_code::bad_session,
                 "session must be 1 to 128 characters from "
                 "A-Z a-z 0-9 . _ : -");
    out.request.session_id = std::string{text_of(*session)};
  }
  if (auto* id = f.text("messageId")) {
    if (!is_safe_id(text_of(*id)))
      return bad(api_code::bad_message_id,
                 "messageId must be 1 to 128 characters "
                 "from A-Z a-z 0-9 . _ : -");
    out.request.message_id = std::string{text_of(*id)};
  }
  return f.error;
}

ws_client_message parse_run(const value& doc, std::size_t max_command_length) {
  fields f{doc};
  ws_subscribe out;
  if (auto err = read_common(f, out))
    return *err;
  auto* command = f.text("command");
  if (f.error)
    return *f.error;
  if (!command || command->GetStringLength() == 0)
    return bad(api_code::missing_command, "run needs a command");
  if (auto err = check_command(text_of(*command), max_command_length))
    return ws_bad_message{*err, {}};
  out.request.command = std::string{text_of(*command)};
  if (auto* strategy = f.text("multitask")) {
    auto parsed = parse_strategy(text_of(*strategy));
    if (auto* err = std::get_if<api_error>(&parsed))
      return ws_bad_message{*err, {}};
    out.request.strategy = std::get<multitask>(parsed);
  }
  if (auto* steps = f.number("max_steps")) {
    if (auto err = check_max_steps(steps->GetUint64()))
      return ws_bad_message{*err, {}};
    out.request.max_steps = steps->GetUint64();
  }
  if (f.error)
    return *f.error;
  return out;
}

ws_client_message parse_subscribe(const value& doc) {
  fields f{doc};
  ws_subscribe out;
  if (auto err = read_common(f, out))
    return *err;
  auto& req = out.request;
  if (req.session_id.empty() == req.message_id.empty())
    return bad(api_code::bad_target,
               "subscribe needs either a session or a messageId");
  // A session alone follows every run of it; a messageId follows that run.
  req.whole_session = req.message_id.empty();
  if (auto* after = f.number("lastEventId")) {
    req.has_last_event_id = true;
    req.last_event_id = after->GetUint64();
  }
  if (f.error)
    return *f.error;
  return out;
}

ws_client_message parse_target(const value& doc, bool cancel) {
  fields f{doc};
  auto* session = f.text("session");
  auto* id = cancel ? nullptr : f.text("messageId");
  if (f.error)
    return *f.error;
  if (cancel) {
    if (!session || !is_safe_id(text_of(*session)))
      return bad(api_code::bad_session, "cancel needs the session to stop");
    return ws_cancel{std::string{text_of(*session)}, {}};
  }
  if ((session == nullptr) == (id == nullptr))
    return bad(api_code::bad_target,
               "unsubscribe needs either a session or a messageId");
  return ws_unsubscribe{session ? "session:" + std::string{text_of(*session)}
                                : "run:" + std::string{text_of(*id)},
                        {}};
}

} // namespace

ws_client_message parse_ws_message(std::string_view text,
                                   std::size_t max_command_length) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject())
    return bad(api_code::bad_json,
               "every message must be a JSON object with a type");
  std::string ref;
  if (auto i = doc.FindMember("ref"); i != doc.MemberEnd()) {
    if (!i->value.IsString() || i->value.GetStringLength() > 128)
      return bad(api_code::bad_message,
                 "ref must be a string of at most 128 characters");
    ref = std::string{text_of(i->value)};
  }
  auto type_member = doc.FindMember("type");
  if (type_member == doc.MemberEnd() || !type_member->value.IsString())
    return bad(api_code::bad_message, "every message needs a type", ref);
  auto type = text_of(type_member->value);
  ws_client_message msg;
  if (type == "run")
    msg = parse_run(doc, max_command_length);
  else if (type == "subscribe")
    msg = parse_subscribe(doc);
  else if (type == "unsubscribe")
    msg = parse_target(doc, false);
  else if (type == "cancel")
    msg = parse_target(doc, true);
  else if (type == "ping")
    msg = ws_ping{};
  else
    msg = bad(api_code::unknown_type,
              "unknown message type '" + std::string{type}
                + "' (run, subscribe, unsubscribe, cancel, ping)");
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
    .field("message", error.message)
    .end_object();
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
