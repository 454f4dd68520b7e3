#pragma once

// Steering a session's run: deciding an interrupt, pausing, resuming,
// taking and handing back its browser, and a person's input to the page.

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

namespace agenttheo {

/// What a person does to a session's run besides stopping it.
enum class steer_action : std::uint8_t {
  /// `POST /api/sessions/{id}/interrupts/{interrupt_id}`, WS `resolve`.
  resolve,
  /// `POST /api/sessions/{id}/pause`, `/resume`.
  pause,
  resume,
  /// `POST /api/sessions/{id}/control` `{"holder": "user"|"agent"}`.
  control,
  /// WS `input`: an input event for the page of a session whose browser
  /// the client controls.
  input,
};

/// A steering request, answered with an api_reply. The session reads the
/// body (a decision, a holder, an input event) itself: it knows the
/// interrupt, the tool's schema, who holds control.
struct steer_session {
  std::string session_id;
  steer_action action = steer_action::resolve;
  std::string interrupt_id;
  std::string body_json;
  /// Who asks (the per-client identity: control belongs to a client).
  std::string client;
  /// How it came: `api`, `ws` or `operator`.
  std::string by;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, steer_session& x) {
  return f(caf::meta::type_name("steer_session"), x.session_id, x.action,
           x.interrupt_id, x.body_json, x.client, x.by);
}

} // namespace agenttheo
