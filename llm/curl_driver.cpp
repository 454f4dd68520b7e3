#include "llm/curl_driver.hpp"

#include <atomic>

#include "llm/curl_engine.hpp"
#include "llm/plain_http_engine.hpp"
#include "metrics/runtime_metrics.hpp"

namespace agenttheo {

namespace {

/// Set in the ids of the transfers the plain engine runs, so that a cancel
/// goes only where its transfer runs: every call's end cancels, and one
/// posted to each of curl's handles too was a job for nothing on each.
constexpr std::uint64_t plain_transfer_bit = std::uint64_t{1} << 63;

} // namespace

struct curl_driver::impl {
  std::unique_ptr<curl_engine> engine;
  std::unique_ptr<plain_http_engine> plain;
  std::atomic<std::uint64_t> next_id{1};
};

curl_driver::curl_driver() : impl_(std::make_unique<impl>()) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  impl_->engine = make_thread_engine();
}

curl_driver::curl_driver(std::unique_ptr<curl_engine> engine)
    : curl_driver(std::move(engine), nullptr) {}

curl_driver::curl_driver(std::unique_ptr<curl_engine> engine,
                         std::unique_ptr<plain_http_engine> plain)
    : impl_(std::make_unique<impl>()) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  impl_->engine = std::move(engine);
  impl_->plain = std::move(plain);
}

curl_driver::~curl_driver() = default;

std::uint64_t curl_driver::start(http_transfer transfer,
                                 transfer_callbacks callbacks) {
  auto id = impl_->next_id++;
  if (impl_->plain
      && impl_->plain->start(id | plain_transfer_bit, transfer, callbacks)) {
    count(counter::llm_transfers_plain);
    return id | plain_transfer_bit;
  }
  count(counter::llm_transfers_curl);
  impl_->engine->submit(make_running_transfer(id, std::move(transfer),
                                              std::move(callbacks)));
  return id;
}

void curl_driver::cancel(std::uint64_t id) {
  if ((id & plain_transfer_bit) == 0)
    impl_->engine->cancel(id);
  else if (impl_->plain)
    impl_->plain->cancel(id);
}

} // namespace agenttheo
