#include "messages/stream_request.hpp"

namespace agenttheo {

std::string_view to_string(multitask strategy) {
  switch (strategy) {
    case multitask::enqueue:
      return "enqueue";
    case multitask::interrupt:
      return "interrupt";
    default:
      return "reject";
  }
}

std::optional<multitask> parse_multitask(std::string_view text) {
  for (auto strategy : {multitask::reject, multitask::enqueue, multitask::interrupt})
    if (text == to_string(strategy))
      return strategy;
  return std::nullopt;
}

} // namespace agenttheo
