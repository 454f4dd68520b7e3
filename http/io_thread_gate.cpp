#include "http/io_thread_gate.hpp"

#include <pthread.h>

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "http/io_idle_lane.hpp"
#include "metrics/runtime_metrics.hpp"

namespace agenttheo::http {

namespace net = boost::asio;

net::execution_context::id io_thread_gate::id;

io_thread_gate::io_thread_gate(net::execution_context& owner, unsigned threads)
    : net::execution_context::service(owner),
      context_(static_cast<net::io_context&>(owner)), policy_(threads),
      clocks_(policy_.threads()), cpu_at_tick_(policy_.threads(), 0),
      last_tick_(clock::now()) {}

void io_thread_gate::run(unsigned index) {
  enter(index);
  if (index == 0)
    run_with_idle_lane(context_);
  else
    run_helper(index);
}

void io_thread_gate::enter(unsigned index) {
  std::lock_guard guard{mutex_};
  if (index >= clocks_.size())
    return;
  clocks_[index] = thread_cpu_clock::of_this_thread();
  cpu_at_tick_[index] = cpu_ns(index);
}

void io_thread_gate::run_helper(unsigned index) {
  std::unique_lock lock{mutex_};
  while (!stopping_ && !context_.stopped()) {
    auto active = policy_.active();
    if (index < active) {
      lock.unlock();
      context_.run_for(tick);
      lock.lock();
    } else if (index == active) {
      // The first parked helper watches for the others.
      changed_.wait_for(lock, last_share_ < 0.1 ? idle_tick : tick);
    } else {
      changed_.wait(lock);
      continue;
    }
    tick_locked(clock::now());
  }
}

void io_thread_gate::tick_locked(clock::time_point now) {
  if (now - last_tick_ < tick)
    return;
  auto wall = std::chrono::duration<double>(now - last_tick_).count();
  auto before = policy_.active();
  long long busy_ns = 0;
  for (unsigned i = 0; i < before; ++i) {
    auto cpu = cpu_ns(i);
    busy_ns += cpu - cpu_at_tick_[i];
    cpu_at_tick_[i] = cpu;
  }
  auto busy = static_cast<double>(busy_ns) / 1e9;
  last_share_ = busy / (wall * before);
  auto after = policy_.next(busy, wall, stalled_locked(now));
  last_tick_ = now;
  changed_locked(before);
  if (after < policy_.threads())
    probe_locked(now);
}

bool io_thread_gate::stalled_locked(clock::time_point now) {
  return probe_queued_.load(std::memory_order_acquire)
         && now - probe_sent_ >= stall_after;
}

void io_thread_gate::probe_locked(clock::time_point now) {
  // A busy context is not stuck, and gets its helper from its CPU.
  if (probe_queued_.load(std::memory_order_acquire)
      || now - probe_sent_ < stall_after
      || last_share_ >= io_helper_policy::join_above)
    return;
  probe_queued_.store(true, std::memory_order_release);
  probe_sent_ = now;
  net::post(context_,
            [this] { probe_queued_.store(false, std::memory_order_release); });
}

long long io_thread_gate::cpu_ns(unsigned index) const {
  return clocks_[index].ns().value_or(cpu_at_tick_[index]);
}

void io_thread_gate::changed_locked(unsigned before) {
  auto after = policy_.active();
  // A thread admitted now counts from now.
  for (unsigned i = before; i < after; ++i)
    cpu_at_tick_[i] = cpu_ns(i);
  active_.store(after, std::memory_order_relaxed);
  if (after == before)
    return;
  changed_.notify_all();
  if (after > before)
    count(counter::io_helpers_joined, after - before);
  else
    count(counter::io_helpers_left, before - after);
}

void io_thread_gate::call_helpers() {
  if (active_.load(std::memory_order_relaxed) == policy_.threads())
    return;
  std::lock_guard guard{mutex_};
  auto before = policy_.active();
  policy_.call_all();
  changed_locked(before);
}

io_thread_gate* gate_of(net::io_context& context) {
  if (!net::has_service<io_thread_gate>(context))
    return nullptr;
  return &net::use_service<io_thread_gate>(context);
}

void io_thread_gate::shutdown() {
  stop();
}

void io_thread_gate::stop() {
  std::lock_guard guard{mutex_};
  stopping_ = true;
  changed_.notify_all();
}

void io_thread_gate::reset() {
  std::lock_guard guard{mutex_};
  stopping_ = false;
  policy_.reset();
  active_.store(1, std::memory_order_relaxed);
  clocks_.assign(clocks_.size(), thread_cpu_clock{});
  last_tick_ = clock::now();
}

unsigned io_thread_gate::active() const {
  return active_.load(std::memory_order_relaxed);
}

} // namespace agenttheo::http
