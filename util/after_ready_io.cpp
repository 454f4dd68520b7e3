#include "util/after_ready_io.hpp"

#include <utility>

namespace agenttheo {

namespace {

thread_local queue_behind_io queue_here = nullptr;
thread_local void* context_here = nullptr;

} // namespace

void after_ready_io(std::function<void()> work) {
  if (queue_here == nullptr)
    return work();
  queue_here(context_here, std::move(work));
}

void set_after_ready_io(queue_behind_io queue, void* context) noexcept {
  queue_here = queue;
  context_here = context;
}

} // namespace agenttheo
