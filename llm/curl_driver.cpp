#include "llm/curl_driver.hpp"

#include <atomic>

#include "llm/curl_engine.hpp"

namespace agenttheo {

struct curl_driver::impl {
  std::unique_ptr<curl_engine> engine;
  std::atomic<std::uint64_t> next_id{1};
};

curl_driver::curl_driver() : impl_(std::make_unique<impl>()) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  impl_->engine = make_thread_engine();
}

curl_driver::curl_driver(std::unique_ptr<curl_engine> engine)
    : impl_(std::make_unique<impl>()) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  impl_->engine = std::move(engine);
}

curl_driver::~curl_driver() = default;

std::uint64_t curl_driver::start(http_transfer transfer,
                                 transfer_callbacks callbacks) {
  auto id = impl_->next_id++;
  impl_->engine->submit(make_running_transfer(id, std::move(transfer),
                                              std::move(callbacks)));
  return id;
}

void curl_driver::cancel(std::uint64_t id) {
  impl_->engine->cancel(id);
}

} // namespace agenttheo
