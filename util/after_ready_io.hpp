#pragma once

#include <functional>

namespace agenttheo {

/// Runs `work` on this I/O thread once its context has nothing ready (no
/// handler queued, no socket found ready), or after a few milliseconds if
/// it never has (`http/io_idle_lane.hpp`); on a helper thread, behind the
/// handlers its context holds now; on a thread that runs none, at once.
///
/// For work that may wait a little but would hold up others' tokens if run
/// now: a run's end (its last events, its store rows, the transfer's close:
/// ~230 µs here) when many runs end together, their last tokens read in one
/// burst.
void after_ready_io(std::function<void()> work);

/// The I/O thread's side: how this thread queues such work (null: it does
/// not). Set by the thread's pool as it starts, and by its idle lane.
using queue_behind_io = void (*)(void* context, std::function<void()>&& work);
void set_after_ready_io(queue_behind_io queue, void* context) noexcept;

} // namespace agenttheo
