#pragma once

// JSON-RPC 2.0 as MCP's Streamable HTTP transport carries it: one message
// per POST (the 2025-06-18 revision dropped batches), a request with an
// `id`, a notification without, or a client's response to the server.

#include <string>
#include <string_view>
#include <variant>

namespace agenttheo {

/// The error codes of JSON-RPC 2.0 (§5.1).
namespace jsonrpc_code {
inline constexpr int parse_error = -32700;
inline constexpr int invalid_request = -32600;
inline constexpr int method_not_found = -32601;
inline constexpr int invalid_params = -32602;
inline constexpr int internal_error = -32603;
} // namespace jsonrpc_code

struct jsonrpc_message {
  enum class kind { request, notification, response };
  kind type = kind::request;
  /// The id as it was written (`7`, `"a"`): answered with the same JSON.
  std::string id_json;
  std::string method;
  /// `params` (an object) as JSON; `{}` when absent. A response's
  /// `result` (an object), `{}` for an error.
  std::string params_json = "{}";
};

/// Why a body is not one message, and the id to answer with (`null` when
/// none could be read).
struct jsonrpc_failure {
  int code = jsonrpc_code::invalid_request;
  std::string message;
  std::string id_json = "null";
};

std::variant<jsonrpc_message, jsonrpc_failure> parse_jsonrpc(std::string_view body);

/// `{"jsonrpc":"2.0","id":..,"result":..}`
std::string jsonrpc_result(std::string_view id_json, std::string_view result_json);

/// `{"jsonrpc":"2.0","id":..,"method":..,"params":..}`: the server's own
/// request to the client (elicitation).
std::string jsonrpc_request(std::string_view id_json, std::string_view method,
                            std::string_view params_json);

/// `{"jsonrpc":"2.0","id":..,"error":{"code","message"}}`
std::string jsonrpc_error(std::string_view id_json, int code, std::string_view message);

/// `{"jsonrpc":"2.0","method":..,"params":..}`
std::string jsonrpc_notification(std::string_view method, std::string_view params_json);

} // namespace agenttheo
