#include "util/woken_here.hpp"

#include <vector>

namespace agenttheo {

namespace {

struct woken_job {
  woken_here::run_fn run;
  void* scheduler;
  void* job;
};

thread_local unsigned open_scopes = 0;
thread_local std::vector<woken_job> woken;

} // namespace

woken_here::woken_here() noexcept {
  ++open_scopes;
}

woken_here::~woken_here() {
  if (--open_scopes != 0)
    return;
  // In the order woken. Swapped out first: what these jobs wake is their
  // scheduler's to run (no scope is open while they run).
  std::vector<woken_job> jobs;
  jobs.swap(woken);
  for (const auto& j : jobs)
    j.run(j.scheduler, j.job);
  // The storage stays for this thread's next scope: no allocation per read.
  if (woken.empty()) {
    jobs.clear();
    woken.swap(jobs);
  }
}

bool woken_here::take(run_fn run, void* scheduler, void* job) {
  if (open_scopes == 0)
    return false;
  woken.push_back({run, scheduler, job});
  return true;
}

} // namespace agenttheo
