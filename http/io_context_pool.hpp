#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace agenttheo::http {

class io_pin_watch;

/// The I/O threads, as several I/O contexts with threads of their own.
///
/// With one context shared by every thread, each post may wake another
/// thread, and the handlers of one token (the provider's bytes, the actors
/// between, the socket's write) hop between threads at 20-50 µs a wake-up.
/// A context per thread keeps what one thread posts on that thread: a
/// connection stays on the context it was accepted onto, and work posted
/// from a pool thread runs on it (`here_or_next`).
class io_context_pool {
public:
  /// `contexts` I/O contexts, each run by `threads_per_context` threads.
  /// `helpers_on_demand`: each context's threads after its first run it
  /// only while those running it are busy (`io_thread_gate`). `cpus`: the
  /// CPUs the threads are pinned to, dealt first threads first (each
  /// context's first thread, then each context's second, ...) and again
  /// from the first when there are more threads; none pins nothing.
  /// `cpus_let_go`: while another process fills one of those CPUs, the
  /// threads are unpinned for a while (`io_pin_watch`). `slice`: the CPU
  /// slice each thread asks the kernel for (util/thread_slice.hpp); 0
  /// leaves the kernel's.
  io_context_pool(unsigned contexts, unsigned threads_per_context,
                  bool helpers_on_demand = true, std::vector<int> cpus = {},
                  bool cpus_let_go = false,
                  std::chrono::microseconds slice = {});
  ~io_context_pool();

  io_context_pool(const io_context_pool&) = delete;
  io_context_pool& operator=(const io_context_pool&) = delete;

  std::size_t size() const;
  unsigned threads_per_context() const;
  /// The threads running their contexts now: every thread, or with
  /// helpers on demand, those admitted.
  unsigned active_threads() const;
  boost::asio::io_context& at(std::size_t index);

  /// The context the calling thread runs, if it is one of this pool's.
  boost::asio::io_context* current() const;

  /// `current()`, else the contexts in turn (work from a thread not of
  /// the pool).
  boost::asio::io_context& here_or_next();

  /// The index of the context `near` is (as `event_sink::io_context` names
  /// one), else of the contexts in turn: where a transfer is read.
  std::size_t near_or_next(const void* near);

  /// Starts the threads (named `agenttheo.io`).
  void run();

  /// Stops the contexts and joins their threads; what they had queued
  /// stays queued.
  void stop();

  /// After `stop`: one thread per context runs what is queued and what
  /// comes, until `stop` again (the actor system's shutdown needs them).
  void run_one_thread_each();

private:
  struct slot;
  boost::asio::io_context& next();
  std::size_t next_index();
  void start_threads(unsigned per_context);
  int cpu_of(std::size_t context, unsigned thread) const;
  void pin(std::size_t context, unsigned thread) const;
  void ask_for_slice() const;

  std::vector<std::unique_ptr<slot>> slots_;
  unsigned threads_per_context_;
  std::vector<int> cpus_;
  bool cpus_let_go_;
  std::chrono::microseconds slice_;
  std::unique_ptr<io_pin_watch> pin_watch_;
  std::atomic<std::size_t> turn_{0};
  std::vector<std::thread> threads_;
};

} // namespace agenttheo::http
