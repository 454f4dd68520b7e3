#include "http/egress_connection.hpp"

#include <algorithm>

#include "browser/address_scope.hpp"
#include "browser/egress_policy.hpp"
#include "browser/local_addresses.hpp"
#include "browser/net_errors.hpp"
#include "http/byte_tunnel.hpp"
#include "http/message_relay.hpp"
#include "util/ascii.hpp"

namespace agenttheo::http {

namespace {

constexpr std::uint32_t head_limit = 64u << 10;
constexpr auto head_timeout = std::chrono::seconds{30};
constexpr auto connect_timeout = std::chrono::seconds{30};

ip_address from_asio(const net::ip::address& address) {
  ip_address out;
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  } else {
    out.v6 = true;
    out.bytes = address.to_v6().to_bytes();
  }
  return out;
}

tcp::endpoint to_endpoint(const ip_address& address, std::uint16_t port) {
  if (!address.v6) {
    net::ip::address_v4::bytes_type bytes;
    std::copy_n(address.bytes.begin(), 4, bytes.begin());
    return {net::ip::address_v4{bytes}, port};
  }
  return {net::ip::address_v6{address.bytes}, port};
}

/// A page for the browser to show (and the page actor to recognise by its
/// meta tag): the refusal's sentence as its title.
std::string refusal_page(const egress_refusal& refusal) {
  std::string text;
  for (char c : refusal.sentence) {
    if (c == '<')
      text += "&lt;";
    else if (c == '&')
      text += "&amp;";
    else if (c == '"')
      text += "&quot;";
    else
      text += c;
  }
  return "<!doctype html><meta charset=utf-8><meta name=agenttheo-egress "
         "content=\"" + refusal.code + "\"><title>" + text + "</title><p>" + text
         + "</p>\n";
}

/// Headers that describe the hop to the proxy, not the request.
void drop_hop_headers(bhttp::fields& fields) {
  for (auto name : {"Proxy-Connection", "Proxy-Authorization", "Keep-Alive"})
    fields.erase(name);
}

} // namespace

egress_shared::egress_shared(egress_proxy_settings s) : settings(std::move(s)) {
  // Read once, not per request.
  for (const auto& [name, address] : settings.host_map)
    if (address == not_found_rule)
      host_map.emplace_back(ascii_lower(name), std::nullopt);
    else if (auto parsed = parse_ip_literal(address))
      host_map.emplace_back(ascii_lower(name), *parsed);
  if (!settings.upstream_host.empty())
    if (auto parsed = parse_ip_literal(settings.upstream_host))
      upstream = to_endpoint(*parsed, settings.upstream_port);
}

egress_shared::host_rule egress_shared::rule_for(std::string_view host) const {
  while (!host.empty() && host.back() == '.')
    host.remove_suffix(1);
  for (const auto& [name, address] : host_map)
    if (name == host || name == "*")
      return {true, address};
  return {};
}

void egress_shared::protect(std::uint16_t port) {
  std::lock_guard<std::mutex> guard{mutex_};
  protected_ports_.push_back(port);
}

bool egress_shared::is_protected(std::uint16_t port) const {
  std::lock_guard<std::mutex> guard{mutex_};
  return std::find(protected_ports_.begin(), protected_ports_.end(), port)
         != protected_ports_.end();
}

egress_connection::egress_connection(tcp::socket socket,
                                     std::shared_ptr<egress_shared> shared)
  : shared_(std::move(shared)),
    client_(std::move(socket)),
    upstream_(client_.get_executor()),
    resolver_(client_.get_executor()) {
  shared_->open.fetch_add(1);
  request_.header_limit(head_limit);
  request_.body_limit(boost::none);
}

egress_connection::~egress_connection() {
  shared_->open.fetch_sub(1);
}

void egress_connection::run() {
  client_.expires_after(head_timeout);
  bhttp::async_read_header(client_, client_buffer_, request_,
                           beast::bind_front_handler(&egress_connection::on_head,
                                                     shared_from_this()));
}

void egress_connection::on_head(beast::error_code ec, std::size_t) {
  if (ec)
    return; // closed, garbled or silent: nothing to answer
  auto& req = request_.get();
  auto target = read_proxy_target(req.method_string(), req.target());
  if (auto* why = std::get_if<std::string>(&target))
    return refuse({"net::ERR_INVALID_URL", *why}, bhttp::status::bad_request);
  target_ = std::get<proxy_target>(std::move(target));
  judge();
}

void egress_connection::judge() {
  const auto& settings = shared_->settings;
  if (auto refused = check_host(settings.policy, target_.host))
    return refuse({egress_refusal::blocked, "blocked by the egress policy: " + *refused},
                  bhttp::status::forbidden);
  if (target_.host.address) {
    addresses_ = {*target_.host.address};
    return judge_addresses();
  }
  if (auto rule = shared_->rule_for(target_.host.name); rule.ruled) {
    // `~NOTFOUND`: no resolver is asked (a machine whose browser may reach
    // only the names its rules give, such as the tests').
    if (!rule.address)
      return refuse({"net::ERR_NAME_NOT_RESOLVED",
                     "no address is known for " + target_.host.name
                       + ": BROWSER_HOST_RESOLVER_RULES resolves it to "
                         "nothing (~NOTFOUND)"},
                    bhttp::status::bad_gateway);
    addresses_ = {*rule.address};
    return judge_addresses();
  }
  resolver_.async_resolve(target_.host.name, std::to_string(target_.port),
                          tcp::resolver::numeric_service,
                          beast::bind_front_handler(&egress_connection::on_resolved,
                                                    shared_from_this()));
}

void egress_connection::on_resolved(beast::error_code ec,
                                    const tcp::resolver::results_type& results) {
  for (const auto& entry : results) {
    auto address = from_asio(entry.endpoint().address());
    if (std::find(addresses_.begin(), addresses_.end(), address) == addresses_.end())
      addresses_.push_back(address);
  }
  if (ec || addresses_.empty())
    return unreachable("net::ERR_NAME_NOT_RESOLVED");
  judge_addresses();
}

void egress_connection::judge_addresses() {
  // Every address must pass, not just the first: an answer that mixes a
  // public address with a refused one is how rebinding starts.
  for (const auto& address : addresses_)
    if (auto refused = check_address(shared_->settings.policy, target_.host, address))
      return refuse({egress_refusal::blocked,
                     "blocked by the egress policy: " + *refused},
                    bhttp::status::forbidden);
  if (auto refused = own_server_refusal())
    return refuse(*refused, bhttp::status::forbidden);
  connect();
}

std::optional<egress_refusal> egress_connection::own_server_refusal() const {
  if (!shared_->is_protected(target_.port))
    return std::nullopt;
  auto own = std::any_of(addresses_.begin(), addresses_.end(),
                         [](const ip_address& a) { return is_this_machine(a); });
  if (!own)
    return std::nullopt;
  const auto& allows = shared_->settings.own_server_allows;
  auto path = std::string_view{target_.path}.substr(0, target_.path.find('?'));
  if (!target_.tunnel && allows && allows(request_.get().method_string(), path))
    return std::nullopt;
  return egress_refusal{egress_refusal::blocked,
                        "blocked by the egress policy: the AgentTheo server's "
                        "own API is not reachable from its agent (only /demo/ "
                        "and the static pages are)"};
}

void egress_connection::connect() {
  const auto& settings = shared_->settings;
  std::vector<tcp::endpoint> endpoints;
  // With a proxy beyond this machine, only loopback is reached directly:
  // anything else goes through it, handed the checked address, never the
  // name (and an answer mixing the two never reaches past loopback).
  for (const auto& address : addresses_)
    if (settings.upstream_host.empty() || scope_of(address) == address_scope::loopback)
      endpoints.push_back(to_endpoint(address, target_.port));
  via_upstream_ = endpoints.empty();
  if (via_upstream_)
    endpoints.push_back(shared_->upstream);
  upstream_.expires_after(connect_timeout);
  upstream_.async_connect(endpoints,
                          [self = shared_from_this()](beast::error_code ec,
                                                      const tcp::endpoint&) {
                            self->on_connected(ec);
                          });
}

void egress_connection::on_connected(beast::error_code ec) {
  if (ec == net::error::connection_refused)
    return unreachable("net::ERR_CONNECTION_REFUSED");
  if (ec == beast::error::timeout)
    return unreachable("net::ERR_CONNECTION_TIMED_OUT");
  if (ec)
    return unreachable("net::ERR_ADDRESS_UNREACHABLE");
  if (via_upstream_)
    return ask_upstream();
  carry();
}

void egress_connection::ask_upstream() {
  // Only addresses beyond loopback go this way (connect()).
  const auto& address = addresses_.front();
  auto host = address.v6 ? "[" + address.to_string() + "]" : address.to_string();
  auto authority = host + ":" + std::to_string(target_.port);
  upstream_connect_ = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority
                      + "\r\n\r\n";
  upstream_.expires_after(connect_timeout);
  net::async_write(upstream_, net::buffer(upstream_connect_),
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec)
                       return self->unreachable("net::ERR_CONNECTION_CLOSED");
                     self->upstream_answer_.emplace();
                     // A CONNECT's answer has no body, whatever it says.
                     self->upstream_answer_->skip(true);
                     bhttp::async_read_header(
                       self->upstream_, self->upstream_buffer_, *self->upstream_answer_,
                       beast::bind_front_handler(&egress_connection::on_upstream_answer,
                                                 self));
                   });
}

void egress_connection::on_upstream_answer(beast::error_code ec, std::size_t) {
  if (ec || upstream_answer_->get().result_int() / 100 != 2)
    return unreachable("net::ERR_TUNNEL_CONNECTION_FAILED");
  carry();
}

void egress_connection::carry() {
  if (target_.tunnel)
    return open_tunnel();
  forward_request();
}

void egress_connection::open_tunnel() {
  auto established = std::make_shared<std::string>(
    "HTTP/1.1 200 Connection established\r\n\r\n");
  client_.expires_after(connect_timeout);
  net::async_write(
    client_, net::buffer(*established),
    [self = shared_from_this(), established](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto tunnel = std::make_shared<byte_tunnel>(std::move(self->client_),
                                                  std::move(self->upstream_),
                                                  self->shared_->settings.idle_timeout);
      tunnel->run(std::move(self->client_buffer_));
    });
}

void egress_connection::forward_request() {
  auto& req = request_.get();
  req.target(target_.path);
  drop_hop_headers(req);
  // One request per connection, both ways: each request is judged on its
  // own, and the origin's answer ends where the connection does.
  req.keep_alive(false);
  auto self = shared_from_this();
  auto relay = std::make_shared<message_relay<true>>(
    client_, client_buffer_, upstream_, request_, shared_->settings.idle_timeout,
    [self](beast::error_code ec) {
      if (ec)
        return self->unreachable("net::ERR_CONNECTION_RESET");
      self->response_.emplace();
      self->response_->header_limit(head_limit);
      self->response_->body_limit(boost::none);
      if (self->request_.get().method() == bhttp::verb::head)
        self->response_->skip(true);
      self->upstream_.expires_after(self->shared_->settings.idle_timeout);
      bhttp::async_read_header(
        self->upstream_, self->upstream_buffer_, *self->response_,
        beast::bind_front_handler(&egress_connection::on_response_head, self));
    });
  relay->run();
}

void egress_connection::on_response_head(beast::error_code ec, std::size_t) {
  if (ec == bhttp::error::end_of_stream || ec == net::error::eof)
    return unreachable("net::ERR_EMPTY_RESPONSE");
  if (ec)
    return unreachable("net::ERR_CONNECTION_RESET");
  auto& res = response_->get();
  drop_hop_headers(res);
  res.keep_alive(false);
  auto self = shared_from_this();
  auto relay = std::make_shared<message_relay<false>>(
    upstream_, upstream_buffer_, client_, *response_, shared_->settings.idle_timeout,
    [self](beast::error_code) {
      beast::error_code ignored;
      self->client_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      self->client_.close();
      self->upstream_.close();
    });
  relay->run();
}

void egress_connection::unreachable(const char* code) {
  auto url = std::string{target_.tunnel ? "https://" : "http://"} + target_.where() + "/";
  refuse({code, describe_net_error(code, url)}, bhttp::status::bad_gateway);
}

void egress_connection::refuse(const egress_refusal& refusal, bhttp::status status) {
  if (!target_.host.name.empty())
    shared_->settings.journal->record(target_.where(), refusal);
  refusal_.emplace(status, request_.get().version());
  auto& res = *refusal_;
  res.set(bhttp::field::content_type, "text/html; charset=utf-8");
  res.set(bhttp::field::cache_control, "no-store");
  res.set("X-AgentTheo-Egress", refusal.code);
  res.body() = refusal_page(refusal);
  res.keep_alive(false);
  res.prepare_payload();
  client_.expires_after(head_timeout);
  bhttp::async_write(client_, res,
                     [self = shared_from_this()](beast::error_code, std::size_t) {
                       beast::error_code ignored;
                       self->client_.socket().shutdown(tcp::socket::shutdown_send,
                                                       ignored);
                       self->client_.close();
                     });
}

} // namespace agenttheo::http
