#include "cli/stream_viewer.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <curl/curl.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include "cli/event_printer.hpp"
#include "cli/interrupt_prompt.hpp"
#include "protocol/sse_parser.hpp"
#include "util/json_reader.hpp"
#include "util/random_id.hpp"

namespace agenttheo::cli {

namespace {

constexpr const char* run_usage
  = "usage: agenttheo run [--server URL] [--session ID | --keep] [--mode MODES]\n"
    "                     [--json] [--token TOKEN] [--no-color] [--approve RULES]\n"
    "                     [--interrupt-timeout DURATION] [--approve-all] \"command\"\n"
    "       agenttheo watch [--server URL] [--mode MODES] [--json] [--token TOKEN]\n"
    "                     [--no-color] SESSION\n"
    "\n"
    "Streams a run (or every run of a session) as it happens. A run without\n"
    "--session gets a session of its own, ended with the run unless --keep.\n"
    "The server is\n"
    "$AGENTTHEO_SERVER or http://localhost:8000; the token $AGENTTHEO_TOKEN.\n"
    "When the run waits for a decision (--approve navigate,submit,...; the\n"
    "agent's questions), a terminal asks [a]pprove / [r]eject / [e]dit or for\n"
    "the answer; --approve-all approves every action and declines questions.\n"
    "Exit status: 0 done, 1 failed, 2 refused or bad usage, 3 cancelled,\n"
    "4 connection lost, 5 a decision was needed and no terminal could ask,\n"
    "130 interrupted (a run is cancelled on the server).\n";

enum exit_code {
  done = 0,
  failed = 1,
  refused = 2,
  cancelled = 3,
  lost = 4,
  cannot_ask = 5,
  interrupted = 130
};

constexpr int max_reconnects = 8;

volatile std::sig_atomic_t stop_requested = 0;

void on_sigint(int) {
  stop_requested = 1;
}

struct viewer_options {
  std::string server = "http://localhost:8000";
  std::string command;
  std::string session;
  std::string mode;
  std::string token;
  bool json = false;
  bool watch = false;
  /// Keep the session this run creates (it is deleted after the run).
  bool keep = false;
  bool color = true;
  /// approve= and interrupt_timeout= for the run.
  std::string approve;
  std::string interrupt_timeout;
  /// Decide every interrupt without asking (approve actions, decline the rest).
  bool approve_all = false;
};

/// The state of one viewing, across reconnects.
struct viewing {
  explicit viewing(viewer_options o)
    : opts(std::move(o)), printer({opts.color, opts.json, opts.watch}) {
  }

  viewer_options opts;
  event_printer printer;
  sse_parser parser;
  std::string message_id;
  std::string session;
  std::uint64_t last_id = 0;
  bool has_last_id = false;
  bool ended = false;
  int outcome = done;
  long status = 0;
  std::string error_body;
};

std::string escape(CURL* curl, const std::string& text) {
  char* out = curl_easy_escape(curl, text.c_str(), static_cast<int>(text.size()));
  std::string result{out};
  curl_free(out);
  return result;
}

std::string text_field(const rapidjson::Document& d, const char* name) {
  return std::string{json_reader{d}.text(name).value_or("")};
}

void emit(const std::string& text) {
  if (text.empty())
    return;
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

/// Whether `msg` ends what is being viewed, and with which exit status.
bool is_end(const viewing& v, const sse_message& msg, const rapidjson::Document& d,
            int& outcome) {
  // An error ends the run unless it says `final: false`.
  auto final_error
    = msg.event == "error" && json_reader{d}.boolean("final").value_or(true);
  if (v.opts.watch) {
    if (msg.event == "status" && text_field(d, "state") == "closed")
      return outcome = done, true;
    if (msg.event == "error" && text_field(d, "code") == "session_lost")
      return outcome = failed, true;
    return false;
  }
  if (msg.event == "complete") {
    json_reader complete{d};
    outcome = complete.boolean("cancelled").value_or(false)       ? cancelled
              : complete.text("outcome").value_or("") == "failed" ? failed
                                                                  : done;
    return true;
  }
  if (final_error)
    return outcome = failed, true;
  return false;
}

long server_call(const viewer_options& opts, const char* method,
                 const std::string& path, const std::string& body = {});

std::string session_path(const std::string& session);

/// An `interrupt`: decided by --approve-all, asked at the terminal, or (no
/// terminal to ask) the end of the viewing with its own exit status.
void on_interrupt(viewing& v, const std::string& data) {
  json_document doc{data};
  auto id = std::string{json_reader{doc}.text("interrupt_id").value_or("")};
  std::optional<std::string> body;
  if (v.opts.approve_all) {
    body = automatic_decision(data);
  } else if (!isatty(STDIN_FILENO)) {
    emit(v.printer.note("a decision is needed and no terminal can ask for it "
                        "(stdin is not a terminal): decide in the web UI, or run "
                        "with --approve-all"));
    v.outcome = cannot_ask;
    v.ended = true;
    return;
  } else {
    body = ask_person(data, {stderr, stdin});
  }
  if (!body)
    return;
  auto status = server_call(v.opts, "POST",
                            session_path(v.session) + "/interrupts/" + id, *body);
  if (status == 409)
    emit(v.printer.note("someone else decided first"));
  else if (status != 200)
    emit(v.printer.note("the decision was refused: HTTP " + std::to_string(status)));
}

void on_message(viewing& v, const sse_message& msg) {
  std::uint64_t id = 0;
  if (msg.has_id) {
    id = std::strtoull(msg.id.c_str(), nullptr, 10);
    if (v.has_last_id && id <= v.last_id)
      return; // seen before the reconnect
    v.last_id = id;
    v.has_last_id = true;
  }
  rapidjson::Document d;
  d.Parse(msg.data.c_str());
  if (msg.event == "start") {
    v.session = text_field(d, "session");
    v.message_id = text_field(d, "messageId");
  }
  emit(v.printer.render(msg.event.empty() ? "message" : msg.event, id, msg.has_id,
                        msg.data));
  if (is_end(v, msg, d, v.outcome))
    v.ended = true;
  else if (msg.event == "interrupt" && !v.opts.watch)
    on_interrupt(v, msg.data);
}

std::size_t on_stream_body(char* data, std::size_t, std::size_t n, void* user) {
  auto& v = *static_cast<viewing*>(user);
  if (v.status != 200) {
    if (v.error_body.size() < 64 * 1024)
      v.error_body.append(data, n);
    return n;
  }
  std::vector<sse_message> messages;
  v.parser.feed({data, n}, messages);
  for (auto& msg : messages) {
    on_message(v, msg);
    if (v.ended)
      return 0; // stops the transfer: nothing more to read
  }
  return n;
}

std::size_t on_stream_header(char* data, std::size_t, std::size_t n, void* user) {
  auto& v = *static_cast<viewing*>(user);
  std::string_view line{data, n};
  if (line.rfind("HTTP/", 0) == 0 && line.size() > 12)
    v.status = std::strtol(std::string{line.substr(9, 3)}.c_str(), nullptr, 10);
  return n;
}

int on_progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return stop_requested ? 1 : 0;
}

curl_slist* auth_headers(const viewer_options& opts, curl_slist* list) {
  if (!opts.token.empty())
    list = curl_slist_append(list, ("Authorization: Bearer " + opts.token).c_str());
  return list;
}

/// The URL of the first request, or of a rejoin after a drop.
std::string stream_url(CURL* curl, const viewing& v, bool first) {
  const auto& o = v.opts;
  std::string url = o.server;
  std::string query;
  auto add = [&](const char* name, const std::string& value) {
    if (!value.empty())
      query += (query.empty() ? "?" : "&") + std::string{name} + "=" + escape(curl, value);
  };
  if (o.watch) {
    url += "/api/sessions/" + escape(curl, o.session) + "/stream";
  } else {
    url += "/stream";
    if (first) {
      add("command", o.command);
      add("session", o.session);
      add("approve", o.approve);
      add("interrupt_timeout", o.interrupt_timeout);
    }
    add("messageId", v.message_id);
  }
  add("stream_mode", o.mode);
  return url + query;
}

/// One request: reads until the end, a drop, a refusal or Ctrl-C.
CURLcode stream_once(viewing& v, bool first) {
  CURL* curl = curl_easy_init();
  curl_slist* headers = auth_headers(v.opts, nullptr);
  headers = curl_slist_append(headers, "Accept: text/event-stream");
  if (v.has_last_id)
    headers = curl_slist_append(
      headers, ("Last-Event-ID: " + std::to_string(v.last_id)).c_str());
  auto url = stream_url(curl, v, first);
  v.status = 0;
  v.error_body.clear();
  v.parser = sse_parser{};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_stream_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &v);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_stream_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &v);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  auto rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return rc;
}

/// A request to the API (with a JSON body when given); its HTTP status,
/// or 0 if none came.
long server_call(const viewer_options& opts, const char* method,
                 const std::string& path, const std::string& body) {
  CURL* curl = curl_easy_init();
  auto url = opts.server + path;
  curl_slist* headers = auth_headers(opts, nullptr);
  if (!body.empty()) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                   +[](char*, std::size_t, std::size_t n, void*) { return n; });
  auto rc = curl_easy_perform(curl);
  long status = 0;
  if (rc == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return status;
}

std::string session_path(const std::string& session) {
  CURL* curl = curl_easy_init();
  auto path = "/api/sessions/" + escape(curl, session);
  curl_easy_cleanup(curl);
  return path;
}

/// Ctrl-C during a run: stop it on the server before leaving.
void cancel_on_server(viewing& v) {
  if (v.session.empty())
    return;
  auto status = server_call(v.opts, "POST", session_path(v.session) + "/cancel");
  emit(v.printer.note(status == 200
                        ? "interrupted: the run was cancelled on the server"
                        : "interrupted: could not cancel the run on the server"));
}

/// A run that made its own session ends it (and frees its browser
/// context) unless told to keep it; a kept one is named for next time.
void settle_session(viewing& v) {
  if (v.opts.watch || !v.opts.session.empty() || v.session.empty())
    return;
  if (v.opts.keep) {
    emit(v.printer.note("session " + v.session + " kept: continue it with --session "
                        + v.session));
    return;
  }
  server_call(v.opts, "DELETE", session_path(v.session));
}

int refusal(viewing& v) {
  json_document doc{v.error_body};
  auto err = json_reader{doc}.object("error");
  std::string message = "HTTP " + std::to_string(v.status);
  if (auto code = err.text("code"))
    message += " " + std::string{*code};
  if (auto why = err.text("message"))
    message += ": " + std::string{*why};
  std::cerr << "agenttheo: the server refused: " << message << "\n";
  return refused;
}

/// Waits `delay`, unless Ctrl-C comes first.
void pause_for(std::chrono::milliseconds delay) {
  auto until = std::chrono::steady_clock::now() + delay;
  while (!stop_requested && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
}

int view(viewing& v) {
  auto backoff = std::chrono::milliseconds{250};
  for (int attempt = 0;; ++attempt) {
    auto rc = stream_once(v, attempt == 0);
    if (stop_requested) {
      if (!v.opts.watch)
        cancel_on_server(v);
      return interrupted;
    }
    if (v.ended)
      return v.outcome;
    if (v.status == 204)
      return v.opts.watch ? done : v.outcome; // nothing left to send
    if (v.status >= 300)
      return refusal(v);
    // Nothing was ever reached: a server that is not there is no drop to
    // resume from, so say so now instead of retrying for half a minute.
    if (v.status == 0 && !v.has_last_id
        && (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)) {
      std::cerr << "agenttheo: cannot reach the server at " << v.opts.server
                << ": " << curl_easy_strerror(rc)
                << " (is `agenttheo serve` running? --server names another)\n";
      return lost;
    }
    if (attempt >= max_reconnects) {
      emit(v.printer.note("connection lost: " + std::string{curl_easy_strerror(rc)}));
      return lost;
    }
    emit(v.printer.note("connection dropped; resuming after event "
                        + std::to_string(v.last_id)));
    pause_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds{5000});
  }
}

/// Flags, then the command (run) or the session (watch). Returns what was
/// wrong, or nothing.
std::string parse_args(const std::vector<std::string>& args, viewer_options& o) {
  std::string target;
  const char* what = o.watch ? "a session id" : "a command";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size())
        return false;
      out = args[++i];
      return true;
    };
    std::string* takes = a == "--server"              ? &o.server
                         : a == "--session"           ? &o.session
                         : a == "--mode"              ? &o.mode
                         : a == "--token"             ? &o.token
                         : a == "--approve"           ? &o.approve
                         : a == "--interrupt-timeout" ? &o.interrupt_timeout
                                                      : nullptr;
    if (takes) {
      if (!value(*takes))
        return a + " needs a value";
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--no-color") {
      o.color = false;
    } else if (a == "--keep" && !o.watch) {
      o.keep = true;
    } else if (a == "--approve-all" && !o.watch) {
      o.approve_all = true;
    } else if (a.rfind("--", 0) == 0) {
      return "unknown flag " + a;
    } else if (!target.empty()) {
      return "one " + std::string{what} + " only, got '" + target + "' and '"
             + a + "'" + (o.watch ? "" : ": quote a command of several words");
    } else {
      target = a;
    }
  }
  if (target.empty())
    return std::string{what} + " is missing";
  if (o.keep && !o.session.empty())
    return "--keep is for a new session; a --session one is kept anyway";
  (o.watch ? o.session : o.command) = target;
  while (!o.server.empty() && o.server.back() == '/')
    o.server.pop_back();
  return {};
}

} // namespace

int viewer_main(const std::string& command, const std::vector<std::string>& args) {
  viewer_options opts;
  opts.watch = command == "watch";
  if (const char* server = std::getenv("AGENTTHEO_SERVER"))
    opts.server = server;
  if (const char* token = std::getenv("AGENTTHEO_TOKEN"))
    opts.token = token;
  for (const auto& a : args)
    if (a == "-h" || a == "--help")
      return std::cout << run_usage, done;
  if (auto wrong = parse_args(args, opts); !wrong.empty())
    return std::cerr << "agenttheo " << command << ": " << wrong << "\n"
                     << run_usage,
           refused;
  opts.color = opts.color && !opts.json && isatty(STDOUT_FILENO)
               && std::getenv("NO_COLOR") == nullptr;
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigaction(SIGINT, &sa, nullptr);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  viewing v{opts};
  // Named here, so a drop even before its `start` rejoins the run.
  if (!opts.watch)
    v.message_id = random_id("cli-");
  auto code = view(v);
  settle_session(v);
  curl_global_cleanup();
  return code;
}

} // namespace agenttheo::cli
