#include "actors/tool_call.hpp"

#include <caf/all.hpp>

#include "actors/page.hpp"
#include "messages/messages.hpp"

namespace agenttheo {

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
  self->send(session, tool_started{run, call.id, call.name, call.arguments});
  self->request(page, timeout, tool_request{call.name, call.arguments})
    .then(
      [=](tool_result& result) {
        self->send(session, tool_finished{run, call.id, call.name, result.ok,
                                          std::move(result.output), elapsed(),
                                          std::move(result.image_base64),
                                          std::move(result.url)});
        self->quit();
      },
      [=](caf::error& err) {
        auto why = err == caf::sec::request_timeout
                     ? "timed out after " + std::to_string(timeout.count()) + " ms"
                     : "the page failed: " + self->system().render(err);
        self->send(session, tool_finished{run, call.id, call.name, false, why,
                                          elapsed(), {}, {}});
        self->quit();
      });
  return {[](caf::unit_t) {}};
}

} // namespace agenttheo
