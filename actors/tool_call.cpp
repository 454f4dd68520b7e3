#include "actors/tool_call.hpp"

#include <caf/all.hpp>

#include "actors/page.hpp"
#include "messages/messages.hpp"

namespace agenttheo {

namespace {

/// Longest a call may wait for the page to begin it.
constexpr auto max_queue_wait = std::chrono::minutes{10};

} // namespace

caf::behavior tool_call_actor(caf::stateful_actor<tool_call_state>* self,
                              caf::actor session, std::uint64_t run,
                              tool_call call, caf::actor page,
                              std::chrono::milliseconds timeout) {
  auto started = std::chrono::steady_clock::now();
  auto elapsed = [started] {
    return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started)
        .count());
  };
  auto fail = [=](std::string why) {
    self->send(session, tool_finished{run, call.id, call.name, false,
                                      std::move(why), elapsed(), {}, {}});
    self->quit();
  };
  self->send(session, tool_started{run, call.id, call.name, call.arguments});
  // The timeout counts from when the page begins the tool: time spent
  // waiting for a browser context, or behind the session's other calls,
  // is not the tool's (it is bounded by `max_queue_wait`).
  self->request(page, max_queue_wait + timeout, tool_request{call.name, call.arguments})
    .then(
      [=](tool_result& result) {
        self->send(session, tool_finished{run, call.id, call.name, result.ok,
                                          std::move(result.output), elapsed(),
                                          std::move(result.image_base64),
                                          std::move(result.url)});
        self->quit();
      },
      [=](caf::error& err) {
        fail(err == caf::sec::request_timeout
               ? "waited too long for the browser"
               : "the page failed: " + self->system().render(err));
      });
  return {
    [=](tool_begun_atom) {
      self->delayed_send(self, timeout, tool_expired_atom::value);
    },
    [=](tool_expired_atom) {
      fail("timed out after " + std::to_string(timeout.count()) + " ms");
    },
  };
}

} // namespace agenttheo
