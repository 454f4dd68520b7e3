#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/strand.hpp>

#include "http/io_thread_gate.hpp"
#include "protocol/event_sink.hpp"

namespace agenttheo::http {

/// A sink lane as a strand of the I/O context: its jobs run on the I/O
/// threads one at a time, in order. A job that hands events to a socket
/// (`net::dispatch` to the socket's strand) runs that socket's part inline
/// when the socket is idle, so a round costs one post, not one per socket.
class strand_lane final : public sink_lane {
public:
  explicit strand_lane(boost::asio::io_context& ioc)
      : strand_(boost::asio::make_strand(ioc)), gate_(gate_of(ioc)) {}

  /// A lane on `strand`, one of `ioc`'s (a socket's: what the lane's jobs
  /// dispatch to that socket then runs inline).
  strand_lane(boost::asio::strand<boost::asio::io_context::executor_type> strand,
              boost::asio::io_context& ioc)
      : strand_(std::move(strand)), gate_(gate_of(ioc)) {}

  void post(std::function<void()> job) override {
    boost::asio::post(strand_, std::move(job));
  }

  void dispatch(std::function<void()> job) override {
    boost::asio::dispatch(strand_, std::move(job));
  }

  void spread(std::function<void()> job) override {
    post(std::move(job));
    if (gate_)
      gate_->call_helpers();
  }

private:
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  /// Found once: the context's gate, if the pool gave it one.
  io_thread_gate* gate_;
};

/// The I/O context an executor of it runs on (every executor of ours does).
template <class Executor>
boost::asio::io_context& io_context_of(const Executor& executor) {
  return static_cast<boost::asio::io_context&>(
    boost::asio::query(executor, boost::asio::execution::context));
}

/// The strand a socket of ours runs on (listener.cpp makes one per
/// connection).
using socket_strand
  = boost::asio::strand<boost::asio::io_context::executor_type>;

/// The strand inside a socket's type-erased executor. A dispatch to the
/// type-erased one copies it first (a strand copy: an atomic add and
/// subtract on the strand's shared state), once per subscriber per round
/// at 10,000 subscribers; to the strand itself, no copy.
template <class Executor>
socket_strand strand_of(const Executor& executor) {
  if (const auto* strand = executor.template target<socket_strand>())
    return *strand;
  throw std::logic_error{"a socket that is not on a strand"};
}

} // namespace agenttheo::http
