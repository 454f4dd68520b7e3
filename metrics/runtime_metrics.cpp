#include "metrics/runtime_metrics.hpp"

namespace agenttheo {

runtime_metrics& process_metrics() {
  static runtime_metrics instance;
  return instance;
}

} // namespace agenttheo
