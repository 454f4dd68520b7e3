#pragma once

#include <utility>

#include <caf/behavior.hpp>
#include <caf/detail/type_list.hpp>
#include <caf/detail/type_traits.hpp>

#include "metrics/actor_stats.hpp"

namespace agenttheo {

namespace detail {

template <class F, class... Ts>
auto counted(actor_stats* stats, F f, caf::detail::type_list<Ts...>) {
  // The same signature as `f`, so CAF matches messages exactly as before.
  return [stats, f = std::move(f)](Ts... xs) mutable -> decltype(auto) {
    stats->handled();
    return f(std::forward<Ts>(xs)...);
  };
}

} // namespace detail

/// A behavior whose every handler first counts the message in `stats`
/// (CAF 0.17 has no metrics of its own; this is one relaxed add).
template <class... Fs>
caf::behavior counting_behavior(actor_stats* stats, Fs... handlers) {
  return {detail::counted(
    stats, std::move(handlers),
    typename caf::detail::get_callable_trait<Fs>::arg_types{})...};
}

} // namespace agenttheo
