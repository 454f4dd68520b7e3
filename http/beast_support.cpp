#include "config/log.hpp"
#include "http/beast.hpp"

namespace agenttheo::http {

bhttp::response<bhttp::string_body>
to_beast(const simple_response& res, unsigned version, bool keep_alive,
         bool head_only) {
  bhttp::response<bhttp::string_body> out{
    static_cast<bhttp::status>(res.status), version};
  out.set(bhttp::field::server, "agenttheo");
  if (!res.content_type.empty())
    out.set(bhttp::field::content_type, res.content_type);
  for (const auto& [name, value] : res.headers)
    out.set(name, value);
  out.keep_alive(keep_alive && !res.close);
  if (res.status == 204 || res.status == 304)
    return out;
  out.content_length(res.body.size());
  if (!head_only)
    out.body() = res.body;
  return out;
}

void fail(const beast::error_code& ec, const char* what) {
  // Cancelled operations and clients that hang up are the normal end of a
  // connection, not errors worth a log line.
  if (ec == net::error::operation_aborted || ec == net::error::eof
      || ec == net::error::connection_reset || ec == net::error::broken_pipe
      || ec == beast::error::timeout)
    return;
  log(log_level::debug, what, ": ", ec.message());
}

void close_socket(tcp::socket& socket) {
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

} // namespace agenttheo::http
