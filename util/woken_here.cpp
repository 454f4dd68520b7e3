#include "util/woken_here.hpp"

#include <utility>

namespace agenttheo {

namespace {

thread_local unsigned open_scopes = 0;

/// The scheduler whose kept jobs wait for the outermost scope's end.
thread_local woken_here::run_fn run_kept = nullptr;
thread_local void* keeper = nullptr;

} // namespace

woken_here::woken_here() noexcept {
  ++open_scopes;
}

woken_here::~woken_here() {
  if (--open_scopes != 0 || run_kept == nullptr)
    return;
  // Cleared first: what the jobs wake while they run is their scheduler's
  // to place (no scope is open then).
  auto run = std::exchange(run_kept, nullptr);
  run(std::exchange(keeper, nullptr));
}

bool woken_here::run_at_end(run_fn run, void* scheduler) {
  if (open_scopes == 0)
    return false;
  if (run_kept != nullptr && (run_kept != run || keeper != scheduler))
    return false;
  run_kept = run;
  keeper = scheduler;
  return true;
}

} // namespace agenttheo
