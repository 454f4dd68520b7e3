#pragma once

#include <cstddef>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace agenttheo::http {

/// What of `buffers` a non-blocking `socket` takes now, in one call; a
/// full send buffer is no error (nothing or part of it went, and the rest
/// is the caller's to write the asynchronous way). One `const_buffer` goes
/// with `send`, a sequence of them with `sendmsg`.
template <class Buffers>
std::size_t send_at_once(boost::asio::ip::tcp::socket& socket,
                         const Buffers& buffers, boost::system::error_code& ec) {
  auto sent = socket.write_some(buffers, ec);
  if (ec == boost::asio::error::would_block
      || ec == boost::asio::error::try_again)
    ec = {};
  return sent;
}

} // namespace agenttheo::http
