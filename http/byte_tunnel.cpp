#include "http/byte_tunnel.hpp"

namespace agenttheo::http {

byte_tunnel::byte_tunnel(beast::tcp_stream client, beast::tcp_stream server,
                         std::chrono::seconds idle_timeout)
  : client_(std::move(client)),
    server_(std::move(server)),
    idle_timeout_(idle_timeout) {
}

void byte_tunnel::run(beast::flat_buffer early) {
  pump(down_);
  if (early.size() == 0)
    return pump(up_);
  auto pending = std::make_shared<beast::flat_buffer>(std::move(early));
  server_.expires_after(idle_timeout_);
  net::async_write(server_, pending->data(),
                   [self = shared_from_this(), pending](beast::error_code ec,
                                                       std::size_t) {
                     self->on_written(self->up_, ec);
                   });
}

void byte_tunnel::pump(direction& d) {
  d.from->expires_after(idle_timeout_);
  d.from->async_read_some(net::buffer(d.buffer),
                          [self = shared_from_this(), &d](beast::error_code ec,
                                                          std::size_t n) {
                            self->on_read(d, ec, n);
                          });
}

void byte_tunnel::on_read(direction& d, beast::error_code ec, std::size_t n) {
  if (ec == net::error::eof) {
    // Pass the half-close on; the other way may still have bytes to carry.
    d.finished = true;
    beast::error_code ignored;
    d.to->socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (up_.finished && down_.finished)
      close();
    return;
  }
  if (ec)
    return close();
  d.to->expires_after(idle_timeout_);
  net::async_write(*d.to, net::buffer(d.buffer.data(), n),
                   [self = shared_from_this(), &d](beast::error_code wec,
                                                   std::size_t) {
                     self->on_written(d, wec);
                   });
}

void byte_tunnel::on_written(direction& d, beast::error_code ec) {
  if (ec)
    return close();
  pump(d);
}

void byte_tunnel::close() {
  beast::error_code ignored;
  client_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  client_.close();
  server_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  server_.close();
}

} // namespace agenttheo::http
