#pragma once

#include <functional>

namespace agenttheo {

/// Runs `work` on this thread's I/O context once the handlers it already
/// holds (the sockets found ready with this one) have run — on this thread,
/// or another that runs the context; on a thread that runs none, at once.
///
/// For work that may wait a little but would hold up others' tokens if run
/// now: a run's end (its last events, its store rows, the transfer's close:
/// ~230 µs here) when many runs end together, their last tokens read in one
/// burst.
void after_ready_io(std::function<void()> work);

/// The I/O thread's side: how this thread queues work behind its context's
/// ready handlers (null: it does not). Set by the thread's pool as it starts.
using queue_behind_io = void (*)(void* context, std::function<void()>&& work);
void set_after_ready_io(queue_behind_io queue, void* context) noexcept;

} // namespace agenttheo
