#include "protocol/jsonrpc.hpp"

#include <rapidjson/document.h>

#include "util/json_reader.hpp"
#include "util/json_writer.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

jsonrpc_failure invalid(std::string message, std::string id_json = "null") {
  return {jsonrpc_code::invalid_request, std::move(message), std::move(id_json)};
}

} // namespace

std::variant<jsonrpc_message, jsonrpc_failure> parse_jsonrpc(std::string_view body) {
  if (!is_valid_utf8(body))
    return jsonrpc_failure{jsonrpc_code::parse_error, "the body is not UTF-8", "null"};
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError())
    return jsonrpc_failure{jsonrpc_code::parse_error, "the body is not JSON", "null"};
  if (doc.IsArray())
    return invalid("batches are not supported (MCP 2025-06-18): send one message");
  if (!doc.IsObject())
    return invalid("a JSON-RPC message is an object");
  jsonrpc_message out;
  auto id = doc.FindMember("id");
  bool has_id = id != doc.MemberEnd();
  if (has_id) {
    // MCP: a string or an integer, never null.
    if (!id->value.IsString() && !id->value.IsInt64())
      return invalid("id must be a string or an integer");
    out.id_json = to_json(id->value);
  }
  auto version = doc.FindMember("jsonrpc");
  if (version == doc.MemberEnd() || !version->value.IsString()
      || std::string_view{version->value.GetString()} != "2.0")
    return invalid("jsonrpc must be \"2.0\"", has_id ? out.id_json : "null");
  auto method = doc.FindMember("method");
  if (method == doc.MemberEnd()) {
    if (has_id && (doc.HasMember("result") || doc.HasMember("error"))) {
      out.type = jsonrpc_message::kind::response;
      if (auto result = doc.FindMember("result");
          result != doc.MemberEnd() && result->value.IsObject())
        out.params_json = to_json(result->value);
      return out;
    }
    return invalid("a request needs a method", has_id ? out.id_json : "null");
  }
  if (!method->value.IsString())
    return invalid("method must be a string", has_id ? out.id_json : "null");
  out.method.assign(method->value.GetString(), method->value.GetStringLength());
  out.type = has_id ? jsonrpc_message::kind::request : jsonrpc_message::kind::notification;
  if (auto params = doc.FindMember("params"); params != doc.MemberEnd()) {
    if (!params->value.IsObject())
      return jsonrpc_failure{jsonrpc_code::invalid_params, "params must be an object",
                             has_id ? out.id_json : "null"};
    out.params_json = to_json(params->value);
  }
  return out;
}

std::string jsonrpc_result(std::string_view id_json, std::string_view result_json) {
  json_writer out;
  out.begin_object().field("jsonrpc", "2.0").key("id").raw(id_json).key("result").raw(
    result_json);
  out.end_object();
  return out.str();
}

std::string jsonrpc_request(std::string_view id_json, std::string_view method,
                            std::string_view params_json) {
  json_writer out;
  out.begin_object()
    .field("jsonrpc", "2.0")
    .key("id")
    .raw(id_json)
    .field("method", method)
    .key("params")
    .raw(params_json)
    .end_object();
  return out.str();
}

std::string jsonrpc_error(std::string_view id_json, int code, std::string_view message) {
  json_writer out;
  out.begin_object()
    .field("jsonrpc", "2.0")
    .key("id")
    .raw(id_json)
    .key("error")
    .begin_object()
    .field("code", static_cast<std::int64_t>(code))
    .field("message", message)
    .end_object()
    .end_object();
  return out.str();
}

std::string jsonrpc_notification(std::string_view method, std::string_view params_json) {
  json_writer out;
  out.begin_object().field("jsonrpc", "2.0").field("method", method).key("params").raw(
    params_json);
  out.end_object();
  return out.str();
}

} // namespace agenttheo
