#include "util/json_writer.hpp"

#include <memory>

namespace agenttheo::detail {

namespace {

/// A kept buffer past this is let go: its memory would stay with the
/// thread for payloads a hundredth its size.
constexpr std::size_t largest_kept = 16 * 1024;

thread_local std::unique_ptr<json_scratch> kept;

} // namespace

json_scratch* borrow_json_scratch() {
  if (!kept)
    return new json_scratch;
  auto* scratch = kept.release();
  scratch->buffer.Clear();
  scratch->writer.Reset(scratch->buffer);
  return scratch;
}

void give_back_json_scratch(json_scratch* scratch) noexcept {
  if (kept || scratch->buffer.GetSize() > largest_kept)
    delete scratch;
  else
    kept.reset(scratch);
}

} // namespace agenttheo::detail
