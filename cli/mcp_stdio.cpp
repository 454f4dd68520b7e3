#include "cli/mcp_stdio.hpp"

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string_view>
#include <thread>

#include <curl/curl.h>

#include "protocol/jsonrpc.hpp"
#include "protocol/sse_parser.hpp"
#include "util/json_reader.hpp"

namespace agenttheo::cli {

namespace {

constexpr const char* mcp_usage
  = "usage: agenttheo mcp [--server URL] [--token TOKEN]\n"
    "  MCP over stdio, forwarded to URL/mcp (default http://127.0.0.1:8000);\n"
    "  the token defaults to $AGENTTHEO_API_TOKEN.\n";

struct bridge {
  std::string endpoint;
  std::string token;
  std::mutex lock;
  /// Guarded by `lock`.
  std::string session_id;
  std::string protocol_version;
  /// Stdin closed: the session's own stream is let go.
  std::atomic<bool> stopping{false};

  void write_line(const std::string& json) {
    std::lock_guard<std::mutex> guard{lock};
    std::cout << json << '\n' << std::flush;
  }
};

/// One POST's response, as it arrives.
struct exchange {
  bridge* b = nullptr;
  bool event_stream = false;
  std::string body;
  sse_parser parser;
  long status = 0;
};

std::string_view trimmed(std::string_view v) {
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
    v.remove_suffix(1);
  return v;
}

size_t on_reply_header(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<exchange*>(user);
  std::string_view line{data, size * n};
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    auto name = line.substr(0, colon);
    auto value = trimmed(line.substr(colon + 1));
    while (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    if (curl_strnequal(name.data(), "mcp-session-id", name.size()) && name.size() == 14) {
      std::lock_guard<std::mutex> guard{ex->b->lock};
      ex->b->session_id = std::string{value};
    } else if (curl_strnequal(name.data(), "content-type", name.size())
               && name.size() == 12) {
      ex->event_stream = value.substr(0, 17) == "text/event-stream";
    }
  }
  return size * n;
}

size_t on_reply_body(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<exchange*>(user);
  std::string_view bytes{data, size * n};
  if (!ex->event_stream) {
    ex->body.append(bytes);
    return size * n;
  }
  std::vector<sse_message> messages;
  if (!ex->parser.feed(bytes, messages))
    return 0;
  for (const auto& m : messages)
    if (!m.data.empty())
      ex->b->write_line(m.data);
  return size * n;
}

/// The protocol version `initialize` settled on, for the later headers.
void note_version(bridge& b, const std::string& body) {
  json_document doc{body};
  if (auto version = json_reader{doc}.object("result").text("protocolVersion")) {
    std::lock_guard<std::mutex> guard{b.lock};
    b.protocol_version = std::string{*version};
  }
}

/// The headers every message to `/mcp` carries.
curl_slist* mcp_headers(bridge& b, curl_slist* headers) {
  {
    std::lock_guard<std::mutex> guard{b.lock};
    if (!b.session_id.empty())
      headers = curl_slist_append(headers, ("Mcp-Session-Id: " + b.session_id).c_str());
    if (!b.protocol_version.empty())
      headers = curl_slist_append(
        headers, ("MCP-Protocol-Version: " + b.protocol_version).c_str());
  }
  if (!b.token.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + b.token).c_str());
  return headers;
}

/// Sends one request to `/mcp` (`body` null: a GET) and hands what comes
/// back to `ex`, an event stream message by message.
CURLcode perform(bridge& b, const std::string* body, exchange& ex) {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  if (body)
    headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, body ? "Accept: application/json, text/event-stream"
                                            : "Accept: text/event-stream");
  headers = mcp_headers(b, headers);
  ex.b = &b;
  curl_easy_setopt(curl, CURLOPT_URL, b.endpoint.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_reply_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_reply_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  if (!body) {
    // A stream has no end of its own: it ends when the bridge does, even
    // if the server never closes it (libcurl asks about once a second).
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &b);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION,
                     +[](void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
                       return static_cast<bridge*>(user)->stopping.load() ? 1 : 0;
                     });
  }
  auto rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &ex.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return rc;
}

/// The MCP session's own stream (`GET /mcp`): resource updates, written
/// as they come until the server ends it (as it does on DELETE).
void listen(bridge& b) {
  exchange ex;
  perform(b, nullptr, ex);
}

/// POSTs one message and writes what comes back; a request that gets no
/// answer at all still gets a JSON-RPC error, so the client never waits.
void forward(bridge& b, const std::string& line) {
  auto parsed = parse_jsonrpc(line);
  auto* msg = std::get_if<jsonrpc_message>(&parsed);
  exchange ex;
  auto rc = perform(b, &line, ex);
  auto body = std::string{trimmed(ex.body)};
  if (rc == CURLE_OK && !body.empty()) {
    if (msg && msg->method == "initialize")
      note_version(b, body);
    b.write_line(body);
    return;
  }
  if (rc == CURLE_OK && (ex.event_stream || ex.status == 202))
    return;
  if (msg && msg->type == jsonrpc_message::kind::request)
    b.write_line(jsonrpc_error(msg->id_json, jsonrpc_code::internal_error,
                               rc == CURLE_OK ? "the server answered HTTP "
                                                  + std::to_string(ex.status)
                                              : std::string{"cannot reach the server: "}
                                                  + curl_easy_strerror(rc)));
}

/// Ends the server's MCP session once stdin closes.
void end_session(bridge& b) {
  if (b.session_id.empty())
    return;
  CURL* curl = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, ("Mcp-Session-Id: " + b.session_id).c_str());
  if (!b.token.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + b.token).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, b.endpoint.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                   +[](char*, size_t size, size_t n, void*) { return size * n; });
  curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
}

} // namespace

int mcp_stdio_main(const std::vector<std::string>& args) {
  bridge b;
  std::string server = "http://127.0.0.1:8000";
  if (const char* token = std::getenv("AGENTTHEO_API_TOKEN"))
    b.token = token;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--server" && i + 1 < args.size())
      server = args[++i];
    else if (args[i] == "--token" && i + 1 < args.size())
      b.token = args[++i];
    else {
      std::cerr << mcp_usage;
      return 2;
    }
  }
  while (!server.empty() && server.back() == '/')
    server.pop_back();
  b.endpoint = server + "/mcp";
  curl_global_init(CURL_GLOBAL_DEFAULT);
  // Each message on its own thread: a streamed run_agent must not hold
  // back the ping or the cancellation sent while it runs. The first
  // (initialize) goes alone, so the rest carry its session id.
  std::vector<std::thread> calls;
  std::thread listener;
  std::string line;
  bool first = true;
  while (std::getline(std::cin, line)) {
    if (trimmed(line).empty())
      continue;
    if (first) {
      forward(b, line);
      first = false;
      continue;
    }
    // Initialized: the session's own stream opens, as the HTTP SDK does.
    if (!listener.joinable() && line.find("notifications/initialized") != std::string::npos) {
      forward(b, line);
      listener = std::thread{[&b] { listen(b); }};
      continue;
    }
    calls.emplace_back([&b, line] { forward(b, line); });
  }
  for (auto& call : calls)
    call.join();
  end_session(b);
  b.stopping = true;
  if (listener.joinable())
    listener.join();
  curl_global_cleanup();
  return EXIT_SUCCESS;
}

} // namespace agenttheo::cli
