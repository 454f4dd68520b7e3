#define CAF_SUITE io_thread_gate

#include "http/io_context_pool.hpp"
#include "http/io_thread_gate.hpp"
#include "http/strand_lane.hpp"
#include "metrics/runtime_metrics.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <caf/test/unit_test.hpp>

using agenttheo::http::io_context_pool;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

/// The thread a job posted to `pool`'s context runs on, waited for.
std::thread::id run_one(io_context_pool& pool) {
  std::promise<std::thread::id> ran;
  net::post(pool.at(0), [&] { ran.set_value(std::this_thread::get_id()); });
  return ran.get_future().get();
}

/// The process's count of helpers that joined, or left.
std::uint64_t helpers(agenttheo::counter change) {
  return agenttheo::process_metrics().counters.read(
    static_cast<std::size_t>(change));
}

/// Waits up to `limit` for `pool` to have `threads` active.
bool settles_at(io_context_pool& pool, unsigned threads,
                std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (pool.active_threads() != threads) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

/// Posts a job that holds the thread running it until `release` is set,
/// spinning on the CPU or waiting off it; returns once it started.
std::thread::id hold_a_thread(io_context_pool& pool,
                              std::shared_future<void> release, bool spin) {
  std::promise<std::thread::id> started;
  net::post(pool.at(0), [&started, release, spin] {
    started.set_value(std::this_thread::get_id());
    while (release.wait_for(spin ? 0ms : 1s) != std::future_status::ready)
      continue;
  });
  return started.get_future().get();
}

/// What runs while a thread is held: the thread it ran on, or none within
/// `limit`.
std::optional<std::thread::id>
runs_within(io_context_pool& pool, std::chrono::milliseconds limit) {
  auto ran = std::make_shared<std::promise<std::thread::id>>();
  net::post(pool.at(0), [ran] { ran->set_value(std::this_thread::get_id()); });
  auto done = ran->get_future();
  if (done.wait_for(limit) != std::future_status::ready)
    return std::nullopt;
  return done.get();
}

/// Whether a job posted while a thread is held off the CPU runs on another
/// thread (within 5 s).
bool runs_beside_a_held_thread(io_context_pool& pool) {
  std::promise<void> release;
  auto held = hold_a_thread(pool, release.get_future().share(), false);
  auto other = runs_within(pool, 5s);
  release.set_value();
  return other && *other != held;
}

} // namespace

CAF_TEST(a light load runs on the first thread alone) {
  io_context_pool pool{1, 2};
  pool.run();
  std::set<std::thread::id> ran_on;
  for (int i = 0; i < 100; ++i) {
    ran_on.insert(run_one(pool));
    std::this_thread::sleep_for(1ms);
  }
  CAF_CHECK_EQUAL(ran_on.size(), 1u);
  CAF_CHECK_EQUAL(pool.active_threads(), 1u);
  pool.stop();
}

CAF_TEST(a busy first thread gets its helper until the load is gone) {
  io_context_pool pool{1, 2};
  pool.run();
  std::promise<void> release;
  auto held = hold_a_thread(pool, release.get_future().share(), true);
  auto other = runs_within(pool, 5s);
  CAF_REQUIRE(other.has_value());
  CAF_CHECK_NOT_EQUAL(*other, held);
  CAF_CHECK_EQUAL(pool.active_threads(), 2u);
  release.set_value();
  CAF_CHECK(settles_at(pool, 1, 5s));
  pool.stop();
}

CAF_TEST(a thread held off the CPU gets its helper) {
  io_context_pool pool{1, 2};
  pool.run();
  // Nothing on the CPU: the probe that stays queued tells.
  CAF_CHECK(runs_beside_a_held_thread(pool));
  pool.stop();
}

CAF_TEST(without helpers on demand every thread runs from the start) {
  io_context_pool pool{1, 2, false};
  pool.run();
  CAF_CHECK_EQUAL(pool.active_threads(), 2u);
  CAF_CHECK(runs_beside_a_held_thread(pool));
  // No gate: a round spread over lanes calls no helper and counts none.
  CAF_CHECK(agenttheo::http::gate_of(pool.at(0)) == nullptr);
  auto joined = helpers(agenttheo::counter::io_helpers_joined);
  std::promise<void> ran;
  agenttheo::http::strand_lane{pool.at(0)}.spread([&] { ran.set_value(); });
  ran.get_future().get();
  CAF_CHECK_EQUAL(helpers(agenttheo::counter::io_helpers_joined), joined);
  pool.stop();
}

CAF_TEST(a parked helper returns when the pool stops) {
  io_context_pool pool{2, 3};
  pool.run();
  CAF_CHECK_EQUAL(pool.active_threads(), 2u);
  // Joins every thread, the parked helpers too (a hang fails the suite).
  pool.stop();
  pool.run_one_thread_each();
  CAF_CHECK_EQUAL(run_one(pool) == std::thread::id{}, false);
  pool.stop();
}

CAF_TEST(work spread over lanes calls the helpers at once) {
  io_context_pool pool{1, 2};
  pool.run();
  agenttheo::http::strand_lane lane{pool.at(0)};
  auto joined = helpers(agenttheo::counter::io_helpers_joined);
  auto left = helpers(agenttheo::counter::io_helpers_left);
  std::promise<void> ran;
  lane.spread([&] { ran.set_value(); });
  CAF_CHECK_EQUAL(pool.active_threads(), 2u);
  CAF_CHECK_EQUAL(helpers(agenttheo::counter::io_helpers_joined), joined + 1);
  ran.get_future().get();
  // A window later, with nothing to do, the helper leaves again.
  CAF_CHECK(settles_at(pool, 1, 5s));
  CAF_CHECK_EQUAL(helpers(agenttheo::counter::io_helpers_left), left + 1);
  // A context without a gate has no helpers to call, and asking makes
  // none.
  net::io_context plain;
  CAF_CHECK(agenttheo::http::gate_of(plain) == nullptr);
  CAF_CHECK(!net::has_service<agenttheo::http::io_thread_gate>(plain));
  pool.stop();
}
