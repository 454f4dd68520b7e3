#pragma once

// The Beast side of the HTTP layer: included only by the translation units
// that touch sockets, so actor code never pays for Beast's headers.

#include <memory>
#include <string_view>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "protocol/simple_response.hpp"
#include "protocol/sse_writer.hpp"
#include "protocol/ws_writer.hpp"

namespace agenttheo {
class connection_registry;
} // namespace agenttheo

namespace agenttheo::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

/// A header value or target as the standard library's view.
inline std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}

/// A Beast response carrying `res`, for a request of HTTP `version`.
bhttp::response<bhttp::string_body>
to_beast(const simple_response& res, unsigned version, bool keep_alive,
         bool head_only = false);

/// Takes over `stream` (its request already read) to write an SSE response.
std::shared_ptr<sse_writer> make_sse_writer(beast::tcp_stream stream,
                                            unsigned http_version,
                                            sse_writer_options options,
                                            connection_registry& registry);

/// Takes over `stream` to answer the WebSocket `upgrade` request and serve
/// the socket (see ws_writer).
std::shared_ptr<ws_writer> make_ws_writer(beast::tcp_stream stream,
                                          bhttp::request<bhttp::string_body> upgrade,
                                          ws_writer_options options,
                                          connection_registry& registry);

/// Logs a socket error unless it is the normal end of an operation.
void fail(const beast::error_code& ec, const char* what);

/// Runs `f(*self)` on `executor` (a connection's strand), keeping `self`
/// alive until it has run: how a writer's public calls reach its socket.
template <class Executor, class Self, class F>
void post_to(const Executor& executor, std::shared_ptr<Self> self, F f) {
  net::post(executor,
            [self = std::move(self), f = std::move(f)]() mutable { f(*self); });
}

/// Shuts `socket` down both ways and closes it; errors mean it is gone
/// already.
void close_socket(tcp::socket& socket);

} // namespace agenttheo::http
