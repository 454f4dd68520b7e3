// libFuzzer target: the bodies clients send — JSON API bodies (a run, a
// title) and WebSocket client messages. Whatever is accepted must be
// within the rules the rest of the server relies on: commands within the
// length limit and valid UTF-8, titles one line within their limit; and
// uploaded files and artifact names: a name that passes is one file name,
// a posted file's bytes lie inside the body.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "messages/session_title.hpp"
#include "protocol/artifact_api.hpp"
#include "protocol/run_body.hpp"
#include "protocol/session_body.hpp"
#include "protocol/ws_protocol.hpp"
#include "util/artifact_name.hpp"
#include "util/utf8.hpp"

namespace {

constexpr std::size_t max_command = 200;

void check(bool invariant) {
  if (!invariant)
    std::abort();
}

void check_command(const std::string& command) {
  check(!command.empty() && command.size() <= max_command && agenttheo::is_valid_utf8(command));
}

void check_artifact_name(const std::string& name) {
  using namespace agenttheo;
  check(is_artifact_name(name) && name.size() <= max_artifact_name);
  check(name.find('/') == std::string::npos && name.find('\\') == std::string::npos);
  check(name != "." && name != ".." && name.front() != '.');
}

void check_uploads(std::string_view body) {
  using namespace agenttheo;
  check_artifact_name(sanitize_artifact_name(body));
  auto from_path = artifact_name_from_path(body);
  if (auto* name = std::get_if<std::string>(&from_path))
    check_artifact_name(*name);
  auto upload = parse_artifact_upload("multipart/form-data; boundary=--b", "", body);
  if (auto* file = std::get_if<artifact_upload>(&upload))
    check(!file->bytes.empty() && file->bytes.data() >= body.data()
          && file->bytes.data() + file->bytes.size() <= body.data() + body.size());
}

/// Empty (unchanged), or one line of at most max_title_bytes.
void check_title(const std::string& title) {
  check(title.size() <= agenttheo::max_title_bytes && agenttheo::is_valid_utf8(title));
  for (unsigned char c : title)
    check(c >= 0x20 && c != 0x7F);
}

void check_secrets(const std::vector<agenttheo::secret>& secrets) {
  check(secrets.size() <= agenttheo::max_session_secrets);
  for (const auto& s : secrets) {
    check(agenttheo::is_secret_name(s.name) && !s.hosts.empty());
    check(s.value.size() >= agenttheo::min_secret_bytes
          && s.value.size() <= agenttheo::max_secret_bytes
          && agenttheo::is_valid_utf8(s.value));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agenttheo;
  std::string_view body{reinterpret_cast<const char*>(data), size};
  auto run = parse_run_body(body, "s-fuzz", max_command);
  if (auto* req = std::get_if<stream_request>(&run))
    check_command(req->command);
  auto update = parse_update_body(body);
  if (auto* change = std::get_if<update_session>(&update)) {
    check_title(change->title);
    check_secrets(change->secrets.set);
  }
  auto created = parse_new_session_body(body);
  if (auto* made = std::get_if<new_session_request>(&created)) {
    check_title(made->title);
    check_secrets(made->secrets);
  }
  auto message = parse_ws_message(body, max_command);
  if (auto* subscribe = std::get_if<ws_subscribe>(&message))
    if (!subscribe->request.command.empty())
      check_command(subscribe->request.command);
  check_uploads(body);
  return 0;
}
