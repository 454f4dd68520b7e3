#include "protocol/send_budget.hpp"

namespace agenttheo {

send_status send_budget::add(std::size_t bytes, std::size_t items) {
  bytes_ += bytes;
  mirror();
  if (bytes_ <= limit_)
    return send_status::queued;
  return items > 1 ? send_status::dropped : send_status::backpressure;
}

void send_budget::take(std::size_t bytes) {
  bytes_ -= bytes;
  mirror();
}

void send_budget::clear() {
  bytes_ = 0;
  mirror();
}

void send_budget::writing(std::size_t bytes) {
  writing_ = bytes;
  mirror();
}

void send_budget::written() {
  writing_ = 0;
  mirror();
}

void send_budget::count_drop(counter total) {
  stats_.drops.fetch_add(1, std::memory_order_relaxed);
  count(total);
}

void send_budget::mirror() {
  stats_.queued_bytes.store(bytes_ + writing_, std::memory_order_relaxed);
}

void count_sent(actor_stats& stats, std::size_t bytes, std::uint64_t events) {
  stats.bytes_sent.fetch_add(bytes, std::memory_order_relaxed);
  stats.events_sent.fetch_add(events, std::memory_order_relaxed);
  count(counter::bytes_sent, bytes);
  count(counter::events_sent, events);
}

} // namespace agenttheo
