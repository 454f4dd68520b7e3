#include "app/io_scheduler.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/execution_unit.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "app/io_actor_clock.hpp"
#include "http/io_context_pool.hpp"
#include "util/woken_here.hpp"

namespace agenttheo {

namespace {

/// CAF's scheduler, with the I/O contexts' threads for workers: a job is
/// one post; it runs up to `max_throughput` messages and, if it has more,
/// goes to the back of the context's queue, behind the sockets' handlers.
class io_coordinator final : public caf::scheduler::abstract_coordinator {
public:
  io_coordinator(caf::actor_system& sys, http::io_context_pool& contexts)
      : abstract_coordinator(sys), contexts_(contexts), unit_(this),
        clock_(contexts.at(0)) {}

  void enqueue(caf::resumable* job) override {
    if (closed_.load(std::memory_order_acquire)) {
      // Every actor is gone: nothing is left to run it for.
      intrusive_ptr_release(job);
      return;
    }
    // Woken by an I/O handler that runs what it wakes as it ends: kept
    // with the jobs that run next on this thread, run then.
    if (contexts_.current() != nullptr
        && woken_here::run_at_end(&run_kept, this))
      return unit_.exec_later(job);
    posted_.fetch_add(1, std::memory_order_relaxed);
    boost::asio::post(contexts_.here_or_next(), [this, job] { run(job); });
  }

  caf::actor_clock& clock() noexcept override {
    return clock_;
  }

protected:
  void stop() override {
    stop_actors();
    clock_.stop();
    drain();
  }

private:
  /// The jobs still queued on the context name this coordinator, which the
  /// actor system destroys after `stop`: they run first (the context keeps
  /// running until the server goes), and later ones are dropped.
  void drain() {
    for (int round = 0; round < 100; ++round) {
      auto before = posted_.load(std::memory_order_relaxed);
      // A context nobody runs any more: give up rather than hang.
      if (!every_context_reached())
        break;
      if (posted_.load(std::memory_order_relaxed) == before)
        break;
    }
    closed_.store(true, std::memory_order_release);
  }

  /// Whether each context ran what was queued on it before now.
  bool every_context_reached() {
    std::vector<std::future<void>> reached;
    for (std::size_t i = 0; i < contexts_.size(); ++i) {
      auto marker = std::make_shared<std::promise<void>>();
      reached.push_back(marker->get_future());
      boost::asio::post(contexts_.at(i), [marker] { marker->set_value(); });
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{2};
    for (auto& done : reached)
      if (done.wait_until(deadline) != std::future_status::ready)
        return false;
    return true;
  }

  /// What a resumed actor sees as its worker: sending to another actor
  /// from inside a job schedules that one the same way.
  class io_unit final : public caf::execution_unit {
  public:
    explicit io_unit(io_coordinator* owner)
        : caf::execution_unit(&owner->system()), owner_(owner) {}
    /// From inside a job (or a handler's `woken_here` scope, until it
    /// ends): the receiver runs next on this thread, before
    /// the context's queue (CAF's own workers do the same), so a token goes
    /// from the call to the session to the socket in one go.
    void exec_later(caf::resumable* job) override {
      next_.push_back(job);
    }

    /// The jobs scheduled by the one that just ran, most recent first.
    void run_next() {
      while (!next_.empty()) {
        auto* job = next_.back();
        next_.pop_back();
        owner_->resume(job);
      }
    }

  private:
    io_coordinator* owner_;
    static thread_local std::vector<caf::resumable*> next_;
  };

  static void run_kept(void* self) {
    static_cast<io_coordinator*>(self)->unit_.run_next();
  }

  void run(caf::resumable* job) {
    resume(job);
    unit_.run_next();
  }

  void resume(caf::resumable* job) {
    switch (job->resume(&unit_, max_throughput())) {
      case caf::resumable::resume_later:
        enqueue(job);
        break;
      case caf::resumable::done:
      case caf::resumable::awaiting_message:
        intrusive_ptr_release(job);
        break;
      case caf::resumable::shutdown_execution_unit:
        break;
    }
  }

  http::io_context_pool& contexts_;
  io_unit unit_;
  std::atomic<std::uint64_t> posted_{0};
  std::atomic<bool> closed_{false};
  /// Timers on the first context: no clock thread to wake.
  io_actor_clock clock_;
};

thread_local std::vector<caf::resumable*> io_coordinator::io_unit::next_;

} // namespace

void run_actors_on(caf::actor_system_config& cfg,
                   http::io_context_pool& contexts) {
  cfg.module_factories.push_back(
    [&contexts](caf::actor_system& sys) -> caf::actor_system::module* {
      return new io_coordinator(sys, contexts);
    });
}

} // namespace agenttheo
