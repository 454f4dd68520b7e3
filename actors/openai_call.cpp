#include <algorithm>
#include <cstdlib>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/llm_call.hpp"
#include "actors/registry.hpp"
#include "llm/chat_request.hpp"
#include "llm/chat_stream.hpp"
#include "llm/curl_driver.hpp"
#include "messages/messages.hpp"
#include "util/after_ready_io.hpp"
#include "util/json_reader.hpp"
#include "util/thread_random.hpp"
#include "util/woken_here.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<openai_call_state>*;

constexpr auto max_backoff = std::chrono::seconds{30};
constexpr auto max_retry_after = std::chrono::seconds{60};

bool transfer_open(const openai_call_state& st) {
  return *st.open_transfer != 0;
}

/// Ends the attempt: nothing more of its text reaches the session, and its
/// transfer is let go. True if any of its text did reach the session.
bool end_attempt(self_ptr self) {
  auto& st = self->state;
  auto emitted = st.stream->close();
  if (transfer_open(st)) {
    st.runtime.driver->cancel(*st.open_transfer);
    *st.open_transfer = 0;
  }
  return emitted;
}

void fail(self_ptr self, std::string code, std::string message) {
  end_attempt(self);
  auto& st = self->state;
  self->send(st.session, llm_failed{st.run, std::move(code), std::move(message)});
  st.meter.finished(false);
  self->quit();
}

void finish(self_ptr self) {
  end_attempt(self);
  auto& st = self->state;
  // The stream wrote its last before it told the call (or the transfer
  // ended): what it assembled is the call's.
  auto& a = st.stream->assembler();
  llm_done done{st.run, a.content(), 0, 0, a.tool_calls()};
  if (a.usage()) {
    done.prompt_tokens = a.usage()->prompt_tokens;
    done.completion_tokens = a.usage()->completion_tokens;
  }
  self->send(st.session, std::move(done));
  st.meter.finished(true);
  self->quit();
}

/// The answer is whole: the call ends once the I/O this thread already has
/// ready has run. When many runs end together their last tokens come in one
/// burst, and each run's end (its last events and store rows, the transfer
/// let go: ~230 µs here, a token ~50) held up the next run's last token;
/// at 100 runs ending together those waited 1-4 ms. Nothing more of the
/// transfer is read meanwhile.
void finish_after_ready_io(self_ptr self) {
  self->state.finishing = true;
  after_ready_io([call = caf::actor{self}] {
    // The call, and the session it wakes, run as this ends.
    woken_here wakes;
    caf::anon_send(call, llm_finish_atom::value);
  });
}

/// The provider's own words from an error body, or the body itself.
std::string provider_message(const std::string& body) {
  json_document doc{body};
  json_reader reply{doc};
  if (auto* err = reply.any("error")) {
    if (err->IsString())
      return err->GetString();
    if (auto message = reply.object("error").text("message"))
      return std::string{*message};
  }
  return body.substr(0, 300);
}

std::chrono::milliseconds backoff(self_ptr self) {
  auto& st = self->state;
  auto retry_after = st.stream->retry_after();
  auto base = st.runtime.settings.retry_base * (1u << std::min(st.attempt - 1, 10u));
  auto capped = std::min<std::chrono::milliseconds>(base, max_backoff);
  // Full jitter between half and all of the backoff keeps many clients that
  // failed together from retrying together.
  std::uniform_real_distribution<double> spread{0.5, 1.0};
  auto delay = std::chrono::milliseconds{
    static_cast<long long>(static_cast<double>(capped.count()) * spread(thread_random()))};
  // Retry-After in seconds wins when it asks for longer.
  if (!retry_after.empty()
      && std::all_of(retry_after.begin(), retry_after.end(), ::isdigit)) {
    auto asked
      = std::chrono::milliseconds{std::atoll(retry_after.c_str()) * 1000};
    delay = std::max(delay, std::min<std::chrono::milliseconds>(asked, max_retry_after));
  }
  return delay;
}

void retry_or_fail(self_ptr self, std::string code, std::string message) {
  end_attempt(self);
  auto& st = self->state;
  if (st.attempt > st.runtime.settings.max_retries)
    return fail(self, std::move(code),
                message + " (after " + std::to_string(st.attempt)
                  + (st.attempt == 1 ? " attempt)" : " attempts)"));
  auto delay = backoff(self);
  self->send(st.session, llm_retrying{st.run, st.attempt,
                                      static_cast<std::uint64_t>(delay.count()),
                                      message});
  self->delayed_send(self, delay, llm_retry_atom::value, st.attempt);
}

/// A failure another attempt may mend, unless this one's text already
/// reached the session (a retry would repeat it): ending the attempt says.
void retry_if_silent(self_ptr self, std::string code, std::string message) {
  if (end_attempt(self))
    return fail(self, std::move(code), std::move(message));
  retry_or_fail(self, std::move(code), std::move(message));
}

void arm_idle_check(self_ptr self, std::chrono::milliseconds after,
                    std::uint64_t generation) {
  self->delayed_send(self, after, llm_idle_atom::value, generation);
}

/// The transfer's callbacks for `stream`: its text goes from the thread
/// that reads it straight to the session; the call hears of the stream's
/// end and the transfer's.
transfer_callbacks
stream_callbacks(self_ptr self, std::shared_ptr<chat_stream> stream) {
  auto& st = self->state;
  auto call = caf::actor{self};
  auto attempt = st.attempt;
  auto deliver = [session = st.session, run = st.run, meter = st.meter](
                   std::string&& text, std::int64_t model_first_ns) {
    meter.token();
    caf::anon_send(session, llm_delta{run, std::move(text), model_first_ns});
  };
  return {
    [stream](long status, std::string retry_after) {
      stream->on_head(status, std::move(retry_after));
    },
    [stream, call, attempt, deliver](std::string_view bytes,
                                     std::chrono::nanoseconds since_start) {
      auto end = stream->on_body(bytes, since_start, deliver);
      if (end.what != chat_stream_end::kind::open)
        caf::anon_send(call, llm_stream_end{attempt, std::move(end.code),
                                            std::move(end.message)});
    },
    [call, attempt](transfer_result result) {
      caf::anon_send(
        call, http_done{attempt, result.curl_code, std::move(result.message)});
    },
  };
}

void start_attempt(self_ptr self, const std::string& body) {
  auto& st = self->state;
  ++st.attempt;
  const auto& settings = st.runtime.settings;
  st.stream = std::make_shared<chat_stream>(settings.max_response_bytes,
                                            st.attempt == 1);
  http_transfer spec{chat_completions_url(settings),
                     chat_request_headers(settings), body,
                     settings.connect_timeout, settings.request_timeout};
  spec.near = st.near;
  *st.open_transfer = st.runtime.driver->start(
    std::move(spec), stream_callbacks(self, st.stream));
  // One pending idle check per attempt; activity only moves a timestamp.
  arm_idle_check(self, settings.idle_timeout, ++st.idle_generation);
}

void on_stream_end(self_ptr self, llm_stream_end& end) {
  auto& st = self->state;
  if (end.attempt != st.attempt || !transfer_open(st) || st.finishing)
    return;
  if (end.code.empty())
    return finish_after_ready_io(self);
  fail(self, std::move(end.code), std::move(end.message));
}

void on_done(self_ptr self, http_done& done) {
  auto& st = self->state;
  if (done.attempt != st.attempt || !transfer_open(st))
    return;
  // The driver is done with it: nothing to cancel any more.
  *st.open_transfer = 0;
  if (st.finishing)
    return;
  if (done.curl_code != 0) {
    if (done.curl_code == transfer_code::couldnt_connect
        || done.curl_code == transfer_code::couldnt_resolve)
      return retry_if_silent(self, "llm_unreachable",
                             "cannot reach the provider: " + done.message);
    if (done.curl_code == transfer_code::timed_out)
      return retry_if_silent(self, "llm_timeout",
                             "the provider call timed out: " + done.message);
    return retry_if_silent(self, "llm_stream_cut",
                           "the provider's stream broke off: " + done.message);
  }
  // The transfer is over: the stream has written its last.
  const auto& stream = *st.stream;
  auto code = stream.status();
  auto status = std::to_string(code);
  auto said = provider_message(stream.error_body());
  if (code >= 200 && code < 300) {
    if (stream.assembler().finish_reason() || stream.assembler().saw_done())
      return finish_after_ready_io(self);
    return retry_if_silent(self, "llm_stream_cut",
                           "the provider's stream ended before the answer did");
  }
  if (code == 401 || code == 403)
    return fail(self, "llm_auth_failed",
                "the provider refused the credentials (HTTP " + status
                  + "): " + said + ". Check LLM_API_KEY / OPENROUTER_API_KEY.");
  if (code == 429)
    return retry_or_fail(self, "llm_rate_limited",
                         "the provider is rate limiting (HTTP 429): " + said);
  if (code >= 500)
    return retry_or_fail(self, "llm_unavailable",
                         "the provider failed (HTTP " + status + "): " + said);
  fail(self, "llm_request_rejected",
       "the provider rejected the request (HTTP " + status + "): " + said);
}

void on_idle_check(self_ptr self, std::uint64_t generation) {
  auto& st = self->state;
  if (generation != st.idle_generation || !transfer_open(st) || st.finishing)
    return;
  auto idle = st.runtime.settings.idle_timeout;
  auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(
    chat_stream::clock::now() - st.stream->last_activity());
  if (silent < idle)
    return arm_idle_check(self, idle - silent, generation);
  auto message = "the provider sent nothing for "
                 + std::to_string(silent.count()) + " ms";
  retry_if_silent(self, "llm_timeout", std::move(message));
}

} // namespace

caf::behavior openai_call(caf::stateful_actor<openai_call_state>* self,
                          caf::actor session, std::uint64_t run,
                          llm_request request, llm_runtime runtime) {
  auto& st = self->state;
  st.session = session;
  st.run = run;
  st.runtime = std::move(runtime);
  st.near = request.near;
  st.meter.start(join_registry(self, "llm_call", st.runtime.settings.model,
                               request.session_id));
  auto body = std::make_shared<const std::string>(
    chat_request_body(st.runtime.settings, request.messages, request.tools));
  // Whatever ends this actor (done, failed, killed by a cancel) ends the
  // transfer too.
  self->attach_functor([driver = st.runtime.driver, open = st.open_transfer] {
    if (*open != 0)
      driver->cancel(*open);
  });
  end_with_session(self, session);
  start_attempt(self, *body);
  return counting_behavior(
    st.meter.stats(),
    [self](llm_stream_end& end) { on_stream_end(self, end); },
    [self](http_done& done) { on_done(self, done); },
    [self](llm_finish_atom) { finish(self); },
    [self](llm_idle_atom, std::uint64_t generation) {
      on_idle_check(self, generation);
    },
    [self, body](llm_retry_atom, std::uint32_t attempt) {
      if (attempt == self->state.attempt)
        start_attempt(self, *body);
    });
}

} // namespace agenttheo
