#include "util/json_writer.hpp"

#include <utility>

namespace agenttheo::detail {

namespace {

/// A kept buffer past this is let go: its memory would stay with the
/// thread for payloads a hundredth its size.
constexpr std::size_t largest_kept = 16 * 1024;

/// The thread's kept scratch. `closed` once the thread's objects are being
/// destroyed: a writer used by a later destructor keeps nothing, so
/// nothing outlives the thread.
struct shelf {
  json_scratch* kept = nullptr;
  bool closed = false;

  ~shelf() {
    delete kept;
    kept = nullptr;
    closed = true;
  }
};

thread_local shelf this_thread;

} // namespace

json_scratch* borrow_json_scratch() {
  auto* scratch = std::exchange(this_thread.kept, nullptr);
  if (!scratch)
    return new json_scratch;
  scratch->buffer.Clear();
  scratch->writer.Reset(scratch->buffer);
  return scratch;
}

void give_back_json_scratch(json_scratch* scratch) noexcept {
  if (this_thread.closed || this_thread.kept
      || scratch->buffer.GetSize() > largest_kept)
    delete scratch;
  else
    this_thread.kept = scratch;
}

} // namespace agenttheo::detail
