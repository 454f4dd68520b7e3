#pragma once

#include <functional>
#include <memory>
#include <utility>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/strand.hpp>

#include "protocol/event_sink.hpp"

namespace agenttheo::http {

/// A sink lane as a strand of the I/O context: its jobs run on the I/O
/// threads one at a time, in order. A job that hands events to a socket
/// (`net::dispatch` to the socket's strand) runs that socket's part inline
/// when the socket is idle, so a round costs one post, not one per socket.
class strand_lane final : public sink_lane {
public:
  explicit strand_lane(boost::asio::io_context& ioc)
      : strand_(boost::asio::make_strand(ioc)) {}

  void post(std::function<void()> job) override {
    boost::asio::post(strand_, std::move(job));
  }

private:
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
};

/// The I/O context an executor of it runs on (every executor of ours does).
template <class Executor>
boost::asio::io_context& io_context_of(const Executor& executor) {
  return static_cast<boost::asio::io_context&>(
    boost::asio::query(executor, boost::asio::execution::context));
}

} // namespace agenttheo::http
