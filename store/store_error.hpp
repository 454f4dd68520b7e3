#pragma once

#include <stdexcept>
#include <string>

namespace agenttheo {

/// Why the store cannot be used, in words for the operator (startup stops
/// with it).
struct store_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

} // namespace agenttheo
