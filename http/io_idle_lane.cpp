#include "http/io_idle_lane.hpp"

#include <deque>
#include <functional>
#include <utility>

#include <boost/asio/io_context.hpp>

#include "util/after_ready_io.hpp"

namespace agenttheo::http {

namespace net = boost::asio;

namespace {

using clock = std::chrono::steady_clock;

/// The work one thread's context runs when it has nothing ready; only
/// that thread touches it.
class idle_lane {
public:
  static void queue(void* lane, std::function<void()>&& work) {
    static_cast<idle_lane*>(lane)->waiting_.push_back(
      {clock::now(), std::move(work)});
  }

  bool empty() const {
    return waiting_.empty();
  }

  bool overdue(std::chrono::microseconds max_wait) const {
    return clock::now() - waiting_.front().since >= max_wait;
  }

  /// The oldest work; what it queues goes behind the rest.
  void run_oldest() {
    auto work = std::move(waiting_.front().work);
    waiting_.pop_front();
    work();
  }

private:
  struct entry {
    clock::time_point since;
    std::function<void()> work;
  };
  std::deque<entry> waiting_;
};

} // namespace

void run_with_idle_lane(net::io_context& context,
                        std::chrono::microseconds max_wait) {
  idle_lane lane;
  set_after_ready_io(&idle_lane::queue, &lane);
  for (;;) {
    if (lane.empty()) {
      // Nothing waits: block for the next handler, as `run` would.
      if (context.run_one() == 0)
        break;
    } else if (lane.overdue(max_wait) || context.poll_one() == 0) {
      if (context.stopped())
        break;
      lane.run_oldest();
    }
  }
  // Stopped: what waits still runs (an end's messages reach their actors).
  while (!lane.empty())
    lane.run_oldest();
  set_after_ready_io(nullptr, nullptr);
}

} // namespace agenttheo::http
