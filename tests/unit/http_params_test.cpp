#define CAF_SUITE http_params

#include <caf/test/unit_test.hpp>

#include "config/approval_rules.hpp"

#include "protocol/accept_encoding.hpp"
#include "protocol/origin_policy.hpp"
#include "protocol/query.hpp"
#include "protocol/routes.hpp"
#include "protocol/run_body.hpp"
#include "protocol/stream_params.hpp"
#include "protocol/transfer_coding.hpp"

using namespace agenttheo;

namespace {

stream_request ok(std::string_view query, std::string_view last_id = {}) {
  auto result = parse_stream_params(query, last_id, 100);
  if (auto* err = std::get_if<api_error>(&result))
    CAF_FAIL("unexpected error " << err->code << ": " << err->message);
  return std::get<stream_request>(result);
}

std::string code_of(std::string_view query, std::string_view last_id = {}) {
  auto result = parse_stream_params(query, last_id, 100);
  CAF_REQUIRE(std::holds_alternative<api_error>(result));
  CAF_CHECK_EQUAL(std::get<api_error>(result).status, 400);
  return std::get<api_error>(result).code;
}

} // namespace

CAF_TEST(url decoding handles escapes and plus) {
  CAF_CHECK_EQUAL(url_decode("go%20to+example.com").value_or("?"),
                  "go to example.com");
  CAF_CHECK_EQUAL(url_decode("%E2%9C%93").value_or("?"), "\xE2\x9C\x93");
  CAF_CHECK(!url_decode("%zz"));
  CAF_CHECK(!url_decode("%2"));
  CAF_CHECK(!url_decode("abc%"));
}

CAF_TEST(the guide stream parameters parse) {
  auto req = ok("command=go%20to%20example.com&messageId=test&stream_mode=updates");
  CAF_CHECK_EQUAL(req.command, "go to example.com");
  CAF_CHECK_EQUAL(req.message_id, "test");
  CAF_CHECK_EQUAL(req.modes, static_cast<mode_mask>(stream_mode::updates));
  CAF_CHECK(!req.has_last_event_id);
  auto all = ok("command=x");
  CAF_CHECK_EQUAL(all.modes, all_modes);
  auto listed = ok("command=x&stream_mode=messages,custom&session=s-1"
                   "&on_disconnect=cancel");
  CAF_CHECK_EQUAL(listed.modes, 5);
  CAF_CHECK_EQUAL(listed.session_id, "s-1");
  CAF_CHECK(listed.cancel_on_disconnect);
}

CAF_TEST(last event id comes from the header first then the query) {
  auto header = ok("messageId=a&lastEventId=3", "17");
  CAF_CHECK(header.has_last_event_id);
  CAF_CHECK_EQUAL(header.last_event_id, 17u);
  auto query = ok("messageId=a&lastEventId=3");
  CAF_CHECK_EQUAL(query.last_event_id, 3u);
  CAF_CHECK_EQUAL(code_of("messageId=a", "abc"), "bad_last_event_id");
  CAF_CHECK_EQUAL(code_of("messageId=a", "-1"), "bad_last_event_id");
  CAF_CHECK_EQUAL(code_of("messageId=a&lastEventId=1e3"), "bad_last_event_id");
}

CAF_TEST(bad input gets a specific code) {
  CAF_CHECK_EQUAL(code_of("command=%zz"), "bad_query");
  CAF_CHECK_EQUAL(code_of("command=" + std::string(101, 'a')),
                  "command_too_long");
  CAF_CHECK_EQUAL(code_of("command=%FF%FE"), "bad_command");
  CAF_CHECK_EQUAL(code_of("command=x&messageId=has%20space"), "bad_message_id");
  CAF_CHECK_EQUAL(code_of("command=x&messageId=" + std::string(129, 'a')),
                  "bad_message_id");
  CAF_CHECK_EQUAL(code_of("command=x&messageId="), "bad_message_id");
  CAF_CHECK_EQUAL(code_of("command=x&session=%3Cscript%3E"), "bad_session");
  CAF_CHECK_EQUAL(code_of("command=x&stream_mode=values"), "bad_stream_mode");
  CAF_CHECK_EQUAL(code_of("command=x&stream_mode=,"), "bad_stream_mode");
  CAF_CHECK_EQUAL(code_of("command=x&on_disconnect=explode"),
                  "bad_on_disconnect");
  CAF_CHECK(is_safe_id("Abc-1_2.3:4"));
  CAF_CHECK(!is_safe_id("a/b"));
}

CAF_TEST(origins are checked against the host and the allow list) {
  std::vector<std::string> none;
  CAF_CHECK(check_origin("", "localhost:8000", none).allowed);
  CAF_CHECK(check_origin("http://localhost:8000", "localhost:8000", none).allowed);
  CAF_CHECK(check_origin("http://localhost:8000", "localhost:8000", none)
              .cors_origin.empty());
  CAF_CHECK(!check_origin("http://evil.example", "localhost:8000", none).allowed);
  CAF_CHECK(!check_origin("http://localhost:8001", "localhost:8000", none).allowed);
  CAF_CHECK(!check_origin("null", "localhost:8000", none).allowed);
  std::vector<std::string> listed{"http://app.example"};
  auto app = check_origin("http://app.example", "localhost:8000", listed);
  CAF_CHECK(app.allowed);
  CAF_CHECK_EQUAL(app.cors_origin, "http://app.example");
  std::vector<std::string> any{"*"};
  CAF_CHECK(check_origin("http://whoever", "localhost:8000", any).allowed);
  // Admin endpoints never follow `*`; a listed origin still counts.
  CAF_CHECK(!check_origin("http://whoever", "localhost:8000", any, false).allowed);
  CAF_CHECK(check_origin("http://app.example", "localhost:8000", listed, false).allowed);
}

CAF_TEST(an absolute form target gives its authority and origin form) {
  auto full = split_absolute_form("http://127.0.0.1:8000/health?x=1");
  CAF_REQUIRE(full);
  CAF_CHECK_EQUAL(full->authority, "127.0.0.1:8000");
  CAF_CHECK_EQUAL(full->origin_form, "/health?x=1");
  auto bare = split_absolute_form("HTTPS://localhost");
  CAF_REQUIRE(bare);
  CAF_CHECK_EQUAL(bare->origin_form, "/");
  CAF_CHECK_EQUAL(split_absolute_form("http://h?q")->origin_form, "/?q");
  CAF_CHECK(!split_absolute_form("/stream?u=http://x/"));
  CAF_CHECK(!split_absolute_form("ftp://h/"));
  CAF_CHECK(!split_absolute_form("*"));
}

CAF_TEST(only chunked frames a body) {
  using v = std::vector<std::string_view>;
  CAF_CHECK(!check_transfer_coding(v{}));
  CAF_CHECK(!check_transfer_coding(v{"chunked"}));
  CAF_CHECK(!check_transfer_coding(v{" Chunked "}));
  auto code = [](const v& values) {
    auto refused = check_transfer_coding(values);
    return refused ? std::string{refused->code} : std::string{};
  };
  for (auto bad : {v{"xchunked"}, v{"gzip, chunked"}, v{"chunked, identity"}})
    CAF_CHECK_EQUAL(code(bad), "unsupported_transfer_coding");
  for (auto bad : {v{"chunked, chunked"}, v{"chunked", "chunked"}, v{"chunked,"}, v{""}})
    CAF_CHECK_EQUAL(code(bad), "malformed_request");
}

CAF_TEST(tokens never reach the log) {
  CAF_CHECK_EQUAL(redact_tokens("/stream?command=hi&access_token=s3cret&x=1"),
                  "/stream?command=hi&access_token=[redacted]&x=1");
  CAF_CHECK_EQUAL(redact_tokens("/ws?Access%5FToken=s3cret"), "/ws?Access%5FToken=[redacted]");
  CAF_CHECK_EQUAL(redact_tokens("/api/admin/stream?access_token=a&access_token=b"),
                  "/api/admin/stream?access_token=[redacted]&access_token=[redacted]");
  CAF_CHECK_EQUAL(redact_tokens("/health"), "/health");
  CAF_CHECK_EQUAL(redact_tokens("/x?access_tokens=kept"), "/x?access_tokens=kept");
}

CAF_TEST(fetch metadata lets in programs the own site and listed origins only) {
  std::vector<std::string> none;
  std::vector<std::string> listed{"http://app.example"};
  auto own = check_origin("", "localhost:8000", none);
  // No Sec-Fetch-Site: a program. same-origin and none: the server's page,
  // or a person typing the address.
  CAF_CHECK(fetch_site_allowed("", "", own));
  CAF_CHECK(fetch_site_allowed("same-origin", "", own));
  CAF_CHECK(fetch_site_allowed("none", "", own));
  // An <img> on another site: no Origin at all, but the browser says so.
  CAF_CHECK(!fetch_site_allowed("cross-site", "", own));
  CAF_CHECK(!fetch_site_allowed("same-site", "", own));
  auto evil = check_origin("http://evil.example", "localhost:8000", listed);
  CAF_CHECK(!fetch_site_allowed("cross-site", "http://evil.example", evil));
  auto app = check_origin("http://app.example", "localhost:8000", listed);
  CAF_CHECK(fetch_site_allowed("cross-site", "http://app.example", app));
}

CAF_TEST(routes know their paths and methods) {
  CAF_CHECK(resolve_route("GET", "/stream").target == route::stream);
  CAF_CHECK(resolve_route("GET", "/stream").method_allowed);
  CAF_CHECK(!resolve_route("POST", "/stream").method_allowed);
  CAF_CHECK(!resolve_route("HEAD", "/stream").method_allowed);
  CAF_CHECK(resolve_route("HEAD", "/health").method_allowed);
  CAF_CHECK(resolve_route("GET", "/api/sessions").target == route::sessions);
  CAF_CHECK(resolve_route("GET", "/").target == route::web_asset);
  CAF_CHECK(resolve_route("GET", "/index.html").target == route::web_asset);
  CAF_CHECK(resolve_route("GET", "/nope").target == route::not_found);
  CAF_CHECK(resolve_route("DELETE", "/health").allow == "GET, HEAD, OPTIONS");
}

CAF_TEST(api routes carry their id and their methods) {
  auto describe = resolve_route("GET", "/api/sessions/s-1");
  CAF_CHECK(describe.target == route::session);
  CAF_CHECK_EQUAL(describe.param, "s-1");
  CAF_CHECK(resolve_route("DELETE", "/api/sessions/s-1").method_allowed);
  CAF_CHECK(!resolve_route("POST", "/api/sessions/s-1").method_allowed);
  auto runs = resolve_route("POST", "/api/sessions/s-2/runs");
  CAF_CHECK(runs.target == route::session_runs);
  CAF_CHECK(runs.method_allowed);
  CAF_CHECK_EQUAL(runs.param, "s-2");
  CAF_CHECK(!resolve_route("GET", "/api/sessions/s-2/runs").method_allowed);
  CAF_CHECK(resolve_route("POST", "/api/sessions/s-2/cancel").target
            == route::session_cancel);
  CAF_CHECK(resolve_route("GET", "/api/sessions/s-2/stream").target
            == route::session_stream);
  auto events = resolve_route("GET", "/api/runs/m-9/events");
  CAF_CHECK(events.target == route::run_events);
  CAF_CHECK_EQUAL(events.param, "m-9");
  auto frames = resolve_route("GET", "/api/runs/m-9/frames");
  CAF_CHECK(frames.target == route::run_frames);
  CAF_CHECK_EQUAL(frames.param, "m-9");
  auto frame = resolve_route("GET", "/api/runs/m-9/frames/12");
  CAF_CHECK(frame.target == route::run_frame);
  CAF_CHECK_EQUAL(frame.param2, "12");
  CAF_CHECK(!resolve_route("POST", "/api/runs/m-9/frames/12").method_allowed);
  CAF_CHECK(resolve_route("GET", "/api/runs/m-9/frames/").target == route::not_found);
  auto rerun = resolve_route("POST", "/api/runs/m-9/rerun");
  CAF_CHECK(rerun.target == route::run_rerun);
  CAF_CHECK(rerun.method_allowed);
  CAF_CHECK_EQUAL(rerun.param, "m-9");
  CAF_CHECK(!resolve_route("GET", "/api/runs/m-9/rerun").method_allowed);
  CAF_CHECK(resolve_route("POST", "/api/sessions").method_allowed);
  CAF_CHECK(resolve_route("GET", "/api/sessions/s-2/nope").target
            == route::not_found);
  CAF_CHECK(resolve_route("GET", "/api/sessions/").target == route::not_found);
  CAF_CHECK(resolve_route("GET", "/api/runs/m-9").target == route::not_found);
  CAF_CHECK(resolve_route("GET", "/demo/").target == route::web_asset);
  auto decide = resolve_route("POST", "/api/sessions/s-3/interrupts/int-7");
  CAF_CHECK(decide.target == route::session_interrupt);
  CAF_CHECK(decide.method_allowed);
  CAF_CHECK_EQUAL(decide.param, "s-3");
  CAF_CHECK_EQUAL(decide.param2, "int-7");
  CAF_CHECK(!resolve_route("GET", "/api/sessions/s-3/interrupts/int-7").method_allowed);
  CAF_CHECK(resolve_route("POST", "/api/sessions/s-3/interrupts/").target
            == route::not_found);
  auto operator_decides = resolve_route("POST", "/api/admin/sessions/s-3/interrupts/int-7");
  CAF_CHECK(operator_decides.target == route::admin_session_interrupt);
  CAF_CHECK_EQUAL(operator_decides.param2, "int-7");
  CAF_CHECK(resolve_route("POST", "/api/sessions/s-3/pause").target == route::session_pause);
  CAF_CHECK(resolve_route("POST", "/api/sessions/s-3/resume").target == route::session_resume);
  CAF_CHECK(resolve_route("POST", "/api/sessions/s-3/control").target
            == route::session_control);
  auto tools = resolve_route("GET", "/api/tools");
  CAF_CHECK(tools.target == route::tools && tools.method_allowed);
  CAF_CHECK(!resolve_route("POST", "/api/tools").method_allowed);
}

CAF_TEST(a run body names the command and the optional fields) {
  auto parsed = parse_run_body(
    R"({"command":"go","messageId":"m-1","stream_mode":"updates",)"
    R"("multitask":"enqueue","max_steps":3})",
    "s-1", 100);
  auto* req = std::get_if<stream_request>(&parsed);
  CAF_REQUIRE(req != nullptr);
  CAF_CHECK_EQUAL(req->command, "go");
  CAF_CHECK_EQUAL(req->message_id, "m-1");
  CAF_CHECK_EQUAL(req->session_id, "s-1");
  CAF_CHECK_EQUAL(req->modes, static_cast<mode_mask>(stream_mode::updates));
  CAF_CHECK(req->strategy == multitask::enqueue);
  CAF_CHECK_EQUAL(req->max_steps, 3u);
  CAF_CHECK(!req->subscribe);
  auto minimal = parse_run_body(R"({"command":"go","messageId":null})", "s", 100);
  CAF_REQUIRE(std::holds_alternative<stream_request>(minimal));
  CAF_CHECK(std::get<stream_request>(minimal).strategy == multitask::reject);
}

CAF_TEST(a bad run body names what is wrong) {
  struct row {
    const char* body;
    const char* code;
  };
  row rows[] = {
    {"", "bad_body"},
    {"[1]", "bad_body"},
    {R"({"command":1})", "bad_body"},
    {R"({"command":"go","max_steps":"3"})", "bad_body"},
    {R"({"command":"go","max_steps":-1})", "bad_body"},
    {R"({})", "missing_command"},
    {R"({"command":""})", "missing_command"},
    {R"({"command":"go","max_steps":0})", "bad_max_steps"},
    {R"({"command":"go","max_steps":1001})", "bad_max_steps"},
    {R"({"command":"go","multitask":"later"})", "bad_multitask"},
    {R"({"command":"go","messageId":"a/b"})", "bad_message_id"},
    {R"({"command":"go","stream_mode":"all"})", "bad_stream_mode"},
    {R"({"command":"0123456789x"})", "command_too_long"},
  };
  for (const auto& r : rows) {
    auto parsed = parse_run_body(r.body, "s", 10);
    auto* err = std::get_if<api_error>(&parsed);
    CAF_REQUIRE(err != nullptr);
    CAF_CHECK_EQUAL(err->status, 400u);
    CAF_CHECK_EQUAL(err->code, r.code);
  }
}

CAF_TEST(stream parameters take max_steps and multitask) {
  auto parsed = parse_stream_params("command=x&max_steps=4&multitask=interrupt",
                                    "", 100);
  auto* req = std::get_if<stream_request>(&parsed);
  CAF_REQUIRE(req != nullptr);
  CAF_CHECK_EQUAL(req->max_steps, 4u);
  CAF_CHECK(req->strategy == multitask::interrupt);
  CAF_CHECK(req->subscribe);
  CAF_CHECK_EQUAL(req->approve, 0u);
  CAF_CHECK_EQUAL(req->interrupt_timeout_ms, 0u);
}

CAF_TEST(stream parameters take approval rules and an interrupt timeout) {
  auto parsed = parse_stream_params("command=x&approve=new_host,submit&interrupt_timeout=2m",
                                    "", 100);
  auto* req = std::get_if<stream_request>(&parsed);
  CAF_REQUIRE(req != nullptr);
  CAF_CHECK_EQUAL(req->approve, approval::new_host | approval::submit);
  CAF_CHECK_EQUAL(req->interrupt_timeout_ms, 120'000u);
  for (auto [query, code] :
       {std::pair{"command=x&approve=maybe", "bad_approve"},
        std::pair{"command=x&interrupt_timeout=10", "bad_interrupt_timeout"},
        std::pair{"command=x&interrupt_timeout=500ms", "bad_interrupt_timeout"},
        std::pair{"command=x&interrupt_timeout=2d", "bad_interrupt_timeout"}}) {
    auto bad = parse_stream_params(query, "", 100);
    auto* err = std::get_if<api_error>(&bad);
    CAF_REQUIRE(err != nullptr);
    CAF_CHECK_EQUAL(err->code, code);
  }
  auto shaped = parse_stream_params(
    "command=x&output_schema=%7B%22type%22%3A%20%22object%22%7D", "", 100);
  CAF_REQUIRE(std::get_if<stream_request>(&shaped) != nullptr);
  CAF_CHECK_EQUAL(std::get<stream_request>(shaped).output_schema, R"({"type":"object"})");
  auto body = parse_run_body(
    R"({"command":"x","approve":"all","interrupt_timeout":"30s","output_schema":{"type":"object"}})",
    "s-1", 100);
  auto* run = std::get_if<stream_request>(&body);
  CAF_REQUIRE(run != nullptr);
  CAF_CHECK_EQUAL(run->approve, approval::all);
  CAF_CHECK_EQUAL(run->interrupt_timeout_ms, 30'000u);
  CAF_CHECK_EQUAL(run->output_schema, R"({"type":"object"})");
}

CAF_TEST(accept encoding names gzip unless refused) {
  CAF_CHECK(accepts_gzip("gzip, deflate, br"));
  CAF_CHECK(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  CAF_CHECK(accepts_gzip("*"));
  CAF_CHECK(!accepts_gzip(""));
  CAF_CHECK(!accepts_gzip("identity"));
  CAF_CHECK(!accepts_gzip("deflate, br"));
  CAF_CHECK(!accepts_gzip("gzip;q=0"));
  CAF_CHECK(!accepts_gzip("gzip; q=0.000, br"));
  CAF_CHECK(!accepts_gzip("x-gzip"));
}
