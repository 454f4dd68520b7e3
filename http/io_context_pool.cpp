#include "http/io_context_pool.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "config/log.hpp"
#include "http/io_idle_lane.hpp"
#include "http/io_pin_watch.hpp"
#include "http/io_thread_gate.hpp"
#include "util/after_ready_io.hpp"
#include "util/cpu_affinity.hpp"
#include "util/thread_slice.hpp"

namespace agenttheo::http {

namespace net = boost::asio;

namespace {

/// The pool and context a thread runs: `current` answers without a lookup.
struct running_on {
  const io_context_pool* pool = nullptr;
  net::io_context* context = nullptr;
};
thread_local running_on this_thread;

/// `after_ready_io` on a helper thread, which may park with work of its
/// own left: a post lands behind the handlers the context already holds.
/// The threads that always run have an idle lane instead.
void post_behind(void* context, std::function<void()>&& work) {
  net::post(*static_cast<net::io_context*>(context), std::move(work));
}

} // namespace

struct io_context_pool::slot {
  slot(unsigned threads, bool helpers_on_demand)
      : context(static_cast<int>(threads)),
        work(std::in_place, net::make_work_guard(context)),
        gate(helpers_on_demand
               ? &net::make_service<io_thread_gate>(context, threads)
               : nullptr) {}

  net::io_context context;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  /// A service of the context (what posts to it finds it); none when every
  /// thread always runs it.
  io_thread_gate* gate;
};

io_context_pool::io_context_pool(unsigned contexts,
                                 unsigned threads_per_context,
                                 bool helpers_on_demand, std::vector<int> cpus,
                                 bool cpus_let_go,
                                 std::chrono::microseconds slice)
    : threads_per_context_(std::max(1u, threads_per_context)),
      cpus_(std::move(cpus)), cpus_let_go_(cpus_let_go), slice_(slice) {
  for (unsigned i = 0; i < std::max(1u, contexts); ++i)
    slots_.push_back(
      std::make_unique<slot>(threads_per_context_, helpers_on_demand));
}

io_context_pool::~io_context_pool() {
  stop();
}

unsigned io_context_pool::active_threads() const {
  unsigned active = 0;
  for (auto& s : slots_)
    active += s->gate ? s->gate->active() : threads_per_context_;
  return active;
}

std::size_t io_context_pool::size() const {
  return slots_.size();
}

unsigned io_context_pool::threads_per_context() const {
  return threads_per_context_;
}

net::io_context& io_context_pool::at(std::size_t index) {
  return slots_[index]->context;
}

net::io_context& io_context_pool::next() {
  return at(next_index());
}

std::size_t io_context_pool::next_index() {
  return turn_.fetch_add(1, std::memory_order_relaxed) % slots_.size();
}

std::size_t io_context_pool::near_or_next(const void* near) {
  for (std::size_t i = 0; i < slots_.size(); ++i)
    if (&slots_[i]->context == near)
      return i;
  return next_index();
}

net::io_context* io_context_pool::current() const {
  return this_thread.pool == this ? this_thread.context : nullptr;
}

net::io_context& io_context_pool::here_or_next() {
  auto* here = current();
  return here ? *here : next();
}

void io_context_pool::run() {
  start_threads(threads_per_context_);
  if (cpus_.empty() || !cpus_let_go_)
    return;
  std::vector<io_pin_watch::pinned_thread> pinned;
  for (std::size_t c = 0; c < slots_.size(); ++c)
    for (unsigned i = 0; i < threads_per_context_; ++i)
      pinned.push_back(
        {threads_[c * threads_per_context_ + i].native_handle(), cpu_of(c, i)});
  pin_watch_ = std::make_unique<io_pin_watch>(std::move(pinned));
}

void io_context_pool::start_threads(unsigned per_context) {
  // Returns once every thread is named, pinned and has its slice: what
  // the server says after (listening) is true of all its I/O threads. A
  // thread tells under the lock, so these may go as soon as the wait ends.
  std::mutex lock;
  std::condition_variable told;
  std::size_t set_up = 0;
  for (std::size_t c = 0; c < slots_.size(); ++c)
    for (unsigned i = 0; i < per_context; ++i)
      threads_.emplace_back([this, c, i, &s = *slots_[c], &lock, &told,
                             &set_up] {
        // Named, so `top -H` and the tests tell them apart.
        pthread_setname_np(pthread_self(), "agenttheo.io");
        pin(c, i);
        ask_for_slice();
        {
          std::lock_guard<std::mutex> guard{lock};
          ++set_up;
          told.notify_one();
        }
        this_thread = {this, &s.context};
        set_after_ready_io(&post_behind, &s.context);
        if (s.gate)
          s.gate->run(i);
        else
          run_with_idle_lane(s.context);
      });
  std::unique_lock<std::mutex> guard{lock};
  told.wait(guard, [&] { return set_up == slots_.size() * per_context; });
}

int io_context_pool::cpu_of(std::size_t context, unsigned thread) const {
  // The threads that always run come first: with helpers on demand, a
  // light load's threads are on the first CPUs, one each.
  return cpus_[(thread * slots_.size() + context) % cpus_.size()];
}

void io_context_pool::pin(std::size_t context, unsigned thread) const {
  if (cpus_.empty())
    return;
  auto cpu = cpu_of(context, thread);
  if (!pin_this_thread_to(cpu))
    log(log_level::warn, "could not pin an I/O thread to CPU ", cpu);
}

void io_context_pool::ask_for_slice() const {
  if (slice_.count() == 0)
    return;
  if (!request_slice_for_this_thread(slice_)) {
    log(log_level::warn, "the kernel refused an I/O thread a slice of ",
        thread_slice_text(slice_));
    return;
  }
  // A kernel before 6.12 accepts the request and keeps its own slice.
  static std::once_flag told;
  std::call_once(told, [this] {
    if (slice_of_thread() != slice_)
      log(log_level::info, "IO_THREAD_SLICE ", thread_slice_text(slice_),
          ": this kernel keeps its own slices (custom ones need Linux 6.12)");
  });
}

void io_context_pool::stop() {
  pin_watch_.reset();
  for (auto& s : slots_) {
    s->work.reset();
    s->context.stop();
    if (s->gate)
      s->gate->stop();
  }
  for (auto& thread : threads_)
    thread.join();
  threads_.clear();
}

void io_context_pool::run_one_thread_each() {
  for (auto& s : slots_) {
    s->context.restart();
    s->work.emplace(net::make_work_guard(s->context));
    if (s->gate)
      s->gate->reset();
  }
  start_threads(1);
}

} // namespace agenttheo::http
