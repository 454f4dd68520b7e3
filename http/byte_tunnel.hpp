#pragma once

#include <array>
#include <chrono>
#include <memory>

#include "http/beast.hpp"

namespace agenttheo::http {

/// Copies bytes both ways between two connected streams until both sides
/// have finished (a FIN is passed on as a half-close) or either fails or
/// stays silent too long; then closes both. What a CONNECT becomes once
/// its target is judged and reached. Holds 32 KiB, whatever flows.
class byte_tunnel : public std::enable_shared_from_this<byte_tunnel> {
public:
  byte_tunnel(beast::tcp_stream client, beast::tcp_stream server,
              std::chrono::seconds idle_timeout);

  /// `early` holds bytes the client sent before the tunnel opened.
  void run(beast::flat_buffer early);

private:
  struct direction {
    beast::tcp_stream* from;
    beast::tcp_stream* to;
    std::array<char, 16 << 10> buffer;
    bool finished = false;
  };

  void pump(direction& d);
  void on_read(direction& d, beast::error_code ec, std::size_t n);
  void on_written(direction& d, beast::error_code ec);
  void close();

  beast::tcp_stream client_;
  beast::tcp_stream server_;
  std::chrono::seconds idle_timeout_;
  direction up_{&client_, &server_, {}};
  direction down_{&server_, &client_, {}};
};

} // namespace agenttheo::http
