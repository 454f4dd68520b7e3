#include "llm/curl_driver.hpp"

#include <atomic>

#include "llm/curl_engine.hpp"
#include "llm/plain_http_engine.hpp"
#include "metrics/runtime_metrics.hpp"

namespace agenttheo {

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
  if (impl_->plain && impl_->plain->takes(transfer.url)) {
    count(counter::llm_transfers_plain);
    impl_->plain->start(id, std::move(transfer), std::move(callbacks));
    return id;
  }
  count(counter::llm_transfers_curl);
  impl_->engine->submit(make_running_transfer(id, std::move(transfer),
                                              std::move(callbacks)));
  return id;
}

void curl_driver::cancel(std::uint64_t id) {
  // Whichever runs it: a cancel that finds nothing does nothing.
  if (impl_->plain)
    impl_->plain->cancel(id);
  impl_->engine->cancel(id);
}

} // namespace agenttheo
