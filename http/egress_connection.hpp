#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "browser/ip_address.hpp"
#include "browser/proxy_target.hpp"
#include "http/beast.hpp"
#include "http/egress_proxy.hpp"

namespace agenttheo::http {

/// What the connections of one egress proxy share.
struct egress_shared {
  explicit egress_shared(egress_proxy_settings s);

  const egress_proxy_settings settings;
  /// BROWSER_HOST_RESOLVER_RULES, parsed and in order: a lower-case name
  /// (`*` for any), its address (none for `~NOTFOUND`).
  std::vector<std::pair<std::string, std::optional<ip_address>>> host_map;
  /// BROWSER_UPSTREAM_PROXY's endpoint, if there is one.
  tcp::endpoint upstream;
  /// Connections open now (bounded by settings.max_connections).
  std::atomic<std::size_t> open{0};

  /// What the first rule naming `host` says of it.
  struct host_rule {
    /// No rule names it: the system's resolver answers.
    bool ruled = false;
    /// Its address; none when the rule says it does not resolve.
    std::optional<ip_address> address;
  };
  host_rule rule_for(std::string_view host) const;

  void protect(std::uint16_t port);
  bool is_protected(std::uint16_t port) const;

private:
  mutable std::mutex mutex_;
  std::vector<std::uint16_t> protected_ports_;
};

/// One connection from Chromium: one request or CONNECT, judged, then
/// carried (or refused with the reason), then closed.
class egress_connection : public std::enable_shared_from_this<egress_connection> {
public:
  egress_connection(tcp::socket socket, std::shared_ptr<egress_shared> shared);
  ~egress_connection();

  void run();

private:
  void on_head(beast::error_code ec, std::size_t);
  void judge();
  void on_resolved(beast::error_code ec, const tcp::resolver::results_type& results);
  void judge_addresses();
  std::optional<egress_refusal> own_server_refusal() const;
  void connect();
  void on_connected(beast::error_code ec);
  void ask_upstream();
  void on_upstream_answer(beast::error_code ec, std::size_t);
  void carry();
  void open_tunnel();
  void forward_request();
  void on_response_head(beast::error_code ec, std::size_t);
  void refuse(const egress_refusal& refusal, bhttp::status status);
  void unreachable(const char* code);

  std::shared_ptr<egress_shared> shared_;
  beast::tcp_stream client_;
  beast::tcp_stream upstream_;
  beast::flat_buffer client_buffer_;
  beast::flat_buffer upstream_buffer_;
  tcp::resolver resolver_;
  bhttp::request_parser<bhttp::buffer_body> request_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> response_;
  std::optional<bhttp::response_parser<bhttp::empty_body>> upstream_answer_;
  std::optional<bhttp::response<bhttp::string_body>> refusal_;
  std::string upstream_connect_;
  proxy_target target_;
  std::vector<ip_address> addresses_;
  bool via_upstream_ = false;
};

} // namespace agenttheo::http
