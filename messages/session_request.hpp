#pragma once

// Making and changing a session through the API: `POST /api/sessions`
// and `PATCH /api/sessions/{id}`, with the session's own secrets.

#include <string>
#include <type_traits>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "util/secret.hpp"

namespace caf::detail {
class stringification_inspector;
} // namespace caf::detail

namespace agenttheo {

/// A secret crosses to the node that runs its session, but never into
/// text: CAF's to_string (logs, errors) shows its name and hosts only.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, secret& x) {
  if constexpr (std::is_same<Inspector, caf::detail::stringification_inspector>::value)
    return f(caf::meta::type_name("secret"), x.name, x.hosts);
  else
    return f(caf::meta::type_name("secret"), x.name, x.value, x.hosts);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, secrets_patch& x) {
  return f(caf::meta::type_name("secrets_patch"), x.set, x.removed);
}

/// `POST /api/sessions`: a new idle session held by `client`; a gateway
/// names the sessions it places on a worker (`id`), else the manager does.
struct new_session_request {
  std::string id;
  std::string client;
  /// The body's `title` (checked; empty: its first command's) and
  /// `secrets` (parsed; the session's own).
  std::string title;
  std::vector<secret> secrets;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, new_session_request& x) {
  return f(caf::meta::type_name("new_session_request"), x.id, x.client, x.title,
           x.secrets);
}

/// `PATCH /api/sessions/{id}`: a new title and changes to the session's
/// secrets (checked and parsed already).
struct update_session {
  std::string session_id;
  /// Empty: the title stays.
  std::string title;
  secrets_patch secrets;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, update_session& x) {
  return f(caf::meta::type_name("update_session"), x.session_id, x.title, x.secrets);
}

} // namespace agenttheo
