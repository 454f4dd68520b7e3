#include <algorithm>
#include <cstdlib>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/llm_call.hpp"
#include "actors/registry.hpp"
#include "llm/chat_request.hpp"
#include "llm/curl_driver.hpp"
#include "messages/messages.hpp"
#include "util/after_ready_io.hpp"
#include "util/json_reader.hpp"
#include "util/thread_random.hpp"
#include "util/woken_here.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<openai_call_state>*;

/// Enough of an error response to explain it; the rest is dropped.
constexpr std::size_t max_error_body = 4096;

constexpr auto max_backoff = std::chrono::seconds{30};
constexpr auto max_retry_after = std::chrono::seconds{60};

bool transfer_open(const openai_call_state& st) {
  return *st.open_transfer != 0;
}

void close_transfer(self_ptr self) {
  auto& st = self->state;
  if (transfer_open(st)) {
    st.runtime.driver->cancel(*st.open_transfer);
    *st.open_transfer = 0;
  }
}

void fail(self_ptr self, std::string code, std::string message) {
  close_transfer(self);
  auto& st = self->state;
  self->send(st.session, llm_failed{st.run, std::move(code), std::move(message)});
  st.meter.finished(false);
  self->quit();
}

void finish(self_ptr self) {
  close_transfer(self);
  auto& st = self->state;
  auto& a = *st.assembler;
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
  auto base = st.runtime.settings.retry_base * (1u << std::min(st.attempt - 1, 10u));
  auto capped = std::min<std::chrono::milliseconds>(base, max_backoff);
  // Full jitter between half and all of the backoff keeps many clients that
  // failed together from retrying together.
  std::uniform_real_distribution<double> spread{0.5, 1.0};
  auto delay = std::chrono::milliseconds{
    static_cast<long long>(static_cast<double>(capped.count()) * spread(thread_random()))};
  // Retry-After in seconds wins when it asks for longer.
  if (!st.retry_after.empty()
      && std::all_of(st.retry_after.begin(), st.retry_after.end(), ::isdigit)) {
    auto asked = std::chrono::milliseconds{
      std::atoll(st.retry_after.c_str()) * 1000};
    delay = std::max(delay, std::min<std::chrono::milliseconds>(asked, max_retry_after));
  }
  return delay;
}

void retry_or_fail(self_ptr self, std::string code, std::string message) {
  close_transfer(self);
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

void arm_idle_check(self_ptr self, std::chrono::milliseconds after,
                    std::uint64_t generation) {
  self->delayed_send(self, after, llm_idle_atom::value, generation);
}

void start_attempt(self_ptr self, const std::string& body) {
  auto& st = self->state;
  ++st.attempt;
  st.status = 0;
  st.retry_after.clear();
  st.error_body.clear();
  st.bytes = 0;
  st.parser = std::make_unique<sse_parser>(st.runtime.settings.max_response_bytes);
  st.assembler = std::make_unique<delta_assembler>();
  const auto& settings = st.runtime.settings;
  http_transfer spec{chat_completions_url(settings),
                     chat_request_headers(settings), body,
                     settings.connect_timeout, settings.request_timeout};
  spec.near = st.near;
  auto handle = caf::actor{self};
  auto attempt = st.attempt;
  transfer_callbacks callbacks{
    [handle, attempt](long status, std::string retry_after) {
      caf::anon_send(handle, http_head{attempt, status, std::move(retry_after)});
    },
    [handle, attempt](std::string bytes, std::chrono::nanoseconds since_start) {
      caf::anon_send(handle, http_body{attempt, std::move(bytes), since_start.count()});
    },
    [handle, attempt](transfer_result result) {
      caf::anon_send(handle, http_done{attempt, result.curl_code,
                                       std::move(result.message)});
    },
  };
  *st.open_transfer = st.runtime.driver->start(std::move(spec),
                                               std::move(callbacks));
  // One pending idle check per attempt; activity only moves a timestamp.
  st.last_activity = self->clock().now();
  arm_idle_check(self, settings.idle_timeout, ++st.idle_generation);
}

/// The provider's own time to the call's first piece, sent with it: known
/// on the first attempt only (after a retry, the wait before it is neither
/// the provider's answer time nor ours to count).
std::int64_t model_first_ns(const openai_call_state& st, const http_body& body) {
  return !st.emitted && st.attempt == 1 ? body.since_start_ns : -1;
}

void on_stream_bytes(self_ptr self, const http_body& body) {
  auto& st = self->state;
  auto& events = st.events;
  events.clear();
  if (!st.parser->feed(body.bytes, events))
    return fail(self, "llm_bad_response",
                "the provider sent a stream line longer than the response limit");
  for (auto& data : events) {
    auto out = st.assembler->on_data(data);
    switch (out.what) {
      case chunk_outcome::kind::ok:
        if (!out.content.empty()) {
          auto model_ns = model_first_ns(st, body);
          st.emitted = true;
          st.meter.token();
          self->send(st.session, llm_delta{st.run, std::move(out.content), model_ns});
        }
        break;
      case chunk_outcome::kind::done:
        return finish_after_ready_io(self);
      case chunk_outcome::kind::malformed:
        return fail(self, "llm_bad_response", "the provider sent " + out.error);
      case chunk_outcome::kind::provider_error:
        return fail(self, "llm_provider_error",
                    "the provider reported: " + out.error);
    }
  }
}

void on_body(self_ptr self, http_body& body) {
  auto& st = self->state;
  if (body.attempt != st.attempt || !transfer_open(st) || st.finishing)
    return;
  st.last_activity = self->clock().now();
  st.bytes += body.bytes.size();
  if (st.bytes > st.runtime.settings.max_response_bytes)
    return fail(self, "llm_response_too_long",
                "the response exceeded "
                  + std::to_string(st.runtime.settings.max_response_bytes)
                  + " bytes");
  if (st.status < 200 || st.status >= 300) {
    auto room = max_error_body - std::min(max_error_body, st.error_body.size());
    st.error_body.append(body.bytes, 0, room);
    return;
  }
  on_stream_bytes(self, body);
}

void on_done(self_ptr self, http_done& done) {
  auto& st = self->state;
  if (done.attempt != st.attempt || !transfer_open(st))
    return;
  // The driver is done with it: nothing to cancel any more.
  *st.open_transfer = 0;
  if (st.finishing)
    return;
  auto retry_if_silent = [&](std::string code, std::string message) {
    if (st.emitted)
      return fail(self, std::move(code), std::move(message));
    retry_or_fail(self, std::move(code), std::move(message));
  };
  if (done.curl_code != 0) {
    if (done.curl_code == transfer_code::couldnt_connect
        || done.curl_code == transfer_code::couldnt_resolve)
      return retry_if_silent("llm_unreachable",
                             "cannot reach the provider: " + done.message);
    if (done.curl_code == transfer_code::timed_out)
      return retry_if_silent("llm_timeout", "the provider call timed out: "
                                              + done.message);
    return retry_if_silent("llm_stream_cut",
                           "the provider's stream broke off: " + done.message);
  }
  auto status = std::to_string(st.status);
  auto said = provider_message(st.error_body);
  if (st.status >= 200 && st.status < 300) {
    if (st.assembler->finish_reason() || st.assembler->saw_done())
      return finish_after_ready_io(self);
    return retry_if_silent("llm_stream_cut",
                           "the provider's stream ended before the answer did");
  }
  if (st.status == 401 || st.status == 403)
    return fail(self, "llm_auth_failed",
                "the provider refused the credentials (HTTP " + status
                  + "): " + said + ". Check LLM_API_KEY / OPENROUTER_API_KEY.");
  if (st.status == 429)
    return retry_or_fail(self, "llm_rate_limited",
                         "the provider is rate limiting (HTTP 429): " + said);
  if (st.status >= 500)
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
    self->clock().now() - st.last_activity);
  if (silent < idle)
    return arm_idle_check(self, idle - silent, generation);
  auto message = "the provider sent nothing for "
                 + std::to_string(silent.count()) + " ms";
  if (st.emitted)
    return fail(self, "llm_timeout", message);
  retry_or_fail(self, "llm_timeout", message);
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
    [self](http_head& head) {
      auto& st = self->state;
      if (head.attempt != st.attempt)
        return;
      st.status = head.status;
      st.retry_after = std::move(head.retry_after);
    },
    [self](http_body& body) { on_body(self, body); },
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
