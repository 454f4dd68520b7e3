#include "actors/tool_call.hpp"

#include <string_view>

#include <caf/all.hpp>

#include "actors/counting_behavior.hpp"
#include "actors/page.hpp"
#include "actors/registry.hpp"
#include "messages/messages.hpp"
#include "metrics/runtime_metrics.hpp"

namespace agenttheo {

namespace {

/// Longest a call may wait for the page to begin it.
constexpr auto max_queue_wait = std::chrono::minutes{10};

/// Records how the call ended, once (it is "running" until then): in its
/// stats and the process totals.
void conclude(actor_stats& stats, const char* outcome, counter total,
              std::uint64_t elapsed_ms) {
  if (std::string_view{stats.state.load(std::memory_order_relaxed)} != "running")
    return;
  stats.set_state(outcome);
  stats.duration_ms.store(static_cast<std::int64_t>(elapsed_ms),
                          std::memory_order_relaxed);
  count(total);
}

} // namespace

caf::behavior tool_call_actor(caf::stateful_actor<tool_call_state>* self,
                              caf::actor session, std::uint64_t run,
                              tool_call call, caf::actor page,
                              std::chrono::milliseconds timeout,
                              std::string session_id) {
  self->state.stats = join_registry(self, "tool_call", call.name, session_id);
  self->state.stats->set_state("running");
  auto started = std::chrono::steady_clock::now();
  auto elapsed = [started] {
    return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started)
        .count());
  };
  // Killed before it ended (a cancel): that is its outcome.
  // (The functor runs after the state is gone: it holds its own stats.)
  self->attach_functor([stats = self->state.stats, elapsed] {
    conclude(*stats, "cancelled", counter::tools_cancelled, elapsed());
  });
  auto fail = [=](std::string why, bool timed_out = false) {
    conclude(*self->state.stats, timed_out ? "timeout" : "failed",
             timed_out ? counter::tools_timed_out : counter::tools_failed, elapsed());
    tool_finished failed;
    failed.run = run;
    failed.call_id = call.id;
    failed.name = call.name;
    failed.output = std::move(why);
    failed.duration_ms = elapsed();
    self->send(session, std::move(failed));
    self->quit();
  };
  self->send(session, tool_started{run, call.id, call.name, call.arguments});
  // The timeout counts from when the page begins the tool: time spent
  // waiting for a browser context, or behind the session's other calls,
  // is not the tool's (it is bounded by `max_queue_wait`).
  self->request(page, max_queue_wait + timeout, tool_request{call.name, call.arguments})
    .then(
      [=](tool_result& result) {
        conclude(*self->state.stats, result.ok ? "ok" : "failed",
                 result.ok ? counter::tools_ok : counter::tools_failed, elapsed());
        self->send(session, tool_finished{run, call.id, call.name, result.ok,
                                          std::move(result.output), elapsed(),
                                          std::move(result.image_base64),
                                          std::move(result.url),
                                          std::move(result.error_code),
                                          result.tab,
                                          std::move(result.page_digest)});
        self->quit();
      },
      [=](caf::error& err) {
        fail(err == caf::sec::request_timeout
               ? "waited too long for the browser"
               : "the page failed: " + self->system().render(err));
      });
  return counting_behavior(
    self->state.stats.get(),
    [=](tool_begun_atom) {
      self->delayed_send(self, timeout, tool_expired_atom::value);
    },
    [=](tool_expired_atom) {
      fail("timed out after " + std::to_string(timeout.count()) + " ms", true);
    });
}

} // namespace agenttheo
