#include "http/asio_http_engine.hpp"

#include <array>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "http/io_context_pool.hpp"
#include "http/streamed_response.hpp"
#include "llm/plain_http_engine.hpp"
#include "llm/plain_http_url.hpp"
#include "util/woken_here.hpp"

namespace agenttheo::http {

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using strand_type = net::strand<net::io_context::executor_type>;
using clock = std::chrono::steady_clock;

/// A provider's chunk is tens to hundreds of bytes; a burst of them fits.
constexpr std::size_t read_size = 16 * 1024;

class plain_transfer;

/// The transfers running, by id: for `cancel`, and for the engine's end.
class transfer_index {
public:
  void add(std::uint64_t id, const std::shared_ptr<plain_transfer>& t) {
    std::lock_guard<std::mutex> guard{mutex_};
    running_.emplace(id, t);
  }

  void remove(std::uint64_t id) {
    std::lock_guard<std::mutex> guard{mutex_};
    running_.erase(id);
  }

  std::shared_ptr<plain_transfer> take(std::uint64_t id) {
    std::lock_guard<std::mutex> guard{mutex_};
    auto i = running_.find(id);
    if (i == running_.end())
      return nullptr;
    auto t = i->second.lock();
    running_.erase(i);
    return t;
  }

  std::vector<std::shared_ptr<plain_transfer>> take_all() {
    std::lock_guard<std::mutex> guard{mutex_};
    std::vector<std::shared_ptr<plain_transfer>> all;
    for (auto& [id, t] : running_)
      if (auto alive = t.lock())
        all.push_back(std::move(alive));
    running_.clear();
    return all;
  }

private:
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<plain_transfer>> running_;
};

/// A connection a finished transfer left open, with the strand its socket
/// was made on (the next transfer on it runs there).
struct idle_connection {
  strand_type strand;
  tcp::socket socket;
  clock::time_point since;
};

/// The connections left open, by context and provider, for the next call
/// to the same provider (curl keeps them as well): a call then costs no
/// connect, one round trip less to a provider across a network. Newest
/// first; each idles at most `max_idle`, `max_per_provider` per provider.
class connection_pool {
public:
  static constexpr std::size_t max_per_provider = 32;
  static constexpr auto max_idle = std::chrono::seconds{30};

  std::optional<idle_connection>
  take(const void* context, const std::string& authority) {
    std::lock_guard<std::mutex> guard{mutex_};
    auto i = idle_.find({context, authority});
    if (i == idle_.end())
      return std::nullopt;
    auto& stack = i->second;
    auto fresh_from = clock::now() - max_idle;
    while (!stack.empty()) {
      auto c = std::move(stack.back());
      stack.pop_back();
      if (c.since >= fresh_from)
        return c;
    }
    return std::nullopt;
  }

  void
  put(const void* context, const std::string& authority, idle_connection c) {
    std::lock_guard<std::mutex> guard{mutex_};
    auto& stack = idle_[{context, authority}];
    if (stack.size() >= max_per_provider)
      stack.erase(stack.begin());
    stack.push_back(std::move(c));
  }

private:
  std::mutex mutex_;
  std::map<std::pair<const void*, std::string>, std::vector<idle_connection>>
    idle_;
};

/// The request's head as curl would send it: the caller's headers (one
/// with an empty value, curl's way of removing one, is left out) and the
/// body's length. The body goes as it is, after it.
std::string request_head(const plain_http_url& url, const http_transfer& spec) {
  std::string out;
  out.append("POST ").append(url.target).append(" HTTP/1.1\r\nHost: ");
  out.append(url.authority).append("\r\n");
  for (const auto& header : spec.headers) {
    auto colon = header.find(':');
    if (colon == std::string::npos
        || header.find_first_not_of(" \t", colon + 1) == std::string::npos)
      continue;
    out.append(header).append("\r\n");
  }
  out.append("Content-Length: ").append(std::to_string(spec.body.size()));
  out.append("\r\n\r\n");
  return out;
}

std::string millis(clock::duration d) {
  return std::to_string(
    std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

/// One request and its streamed response, on a strand of its context. Every
/// handler runs under `mutex_`, which only the engine's end contends for:
/// once a transfer has ended, or been abandoned, no callback runs.
class plain_transfer : public std::enable_shared_from_this<plain_transfer> {
public:
  /// On `reused`'s connection, else on a new one on `context`.
  plain_transfer(net::io_context& context,
                 std::optional<idle_connection> reused, std::uint64_t id,
                 plain_http_url url, http_transfer spec,
                 transfer_callbacks callbacks,
                 std::shared_ptr<transfer_index> index,
                 std::shared_ptr<connection_pool> pool)
      : strand_(reused ? reused->strand : net::make_strand(context)),
        socket_(reused ? std::move(reused->socket) : tcp::socket{strand_}),
        reused_(reused.has_value()), context_(&context), deadline_(strand_),
        resolver_(strand_), id_(id), url_(std::move(url)),
        head_(request_head(url_, spec)), body_(std::move(spec.body)),
        connect_timeout_(spec.connect_timeout),
        total_timeout_(spec.total_timeout), callbacks_(std::move(callbacks)),
        index_(std::move(index)), pool_(std::move(pool)) {}

  /// Any thread.
  void start() {
    net::post(strand_, [self = shared_from_this()] { self->begin(); });
  }

  /// Any thread: ends it unreported.
  void cancel() {
    net::post(strand_, [self = shared_from_this()] {
      std::lock_guard<std::mutex> guard{self->mutex_};
      self->close();
    });
  }

  /// The engine's end, any thread: no callback runs once this returns.
  void abandon() {
    std::lock_guard<std::mutex> guard{mutex_};
    ended_ = true;
    callbacks_ = {};
    net::post(strand_, [self = shared_from_this()] {
      std::lock_guard<std::mutex> guard{self->mutex_};
      self->release_socket();
    });
  }

private:
  void begin() {
    std::lock_guard<std::mutex> guard{mutex_};
    if (ended_)
      return;
    started_ = clock::now();
    if (reused_)
      return send();
    connect();
  }

  void connect() {
    auto connect_by = clock::now() + connect_timeout_;
    arm_deadline(total_timeout_.count() > 0
                   ? std::min(connect_by, started_ + total_timeout_)
                   : connect_by);
    error_code not_literal;
    auto address = net::ip::make_address(url_.host, not_literal);
    if (!not_literal)
      return socket_.async_connect(
        tcp::endpoint{address, url_.port},
        [self = shared_from_this()](error_code ec) { self->on_connected(ec); });
    resolver_.async_resolve(
      url_.host, std::to_string(url_.port),
      [self = shared_from_this()](error_code ec,
                                  tcp::resolver::results_type found) {
        self->on_resolved(ec, std::move(found));
      });
  }

  void on_resolved(error_code ec, tcp::resolver::results_type found) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (ended_)
      return;
    if (ec)
      return end(transfer_code::couldnt_resolve,
                 "Could not resolve host: " + url_.host);
    net::async_connect(
      socket_, found,
      [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
        self->on_connected(ec);
      });
  }

  void on_connected(error_code ec) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (ended_)
      return;
    if (ec)
      return end(transfer_code::couldnt_connect,
                 "Failed to connect to " + url_.host + " port "
                   + std::to_string(url_.port) + ": " + ec.message());
    socket_.set_option(tcp::no_delay{true}, ec);
    send();
  }

  void send() {
    connected_ = true;
    if (total_timeout_.count() > 0)
      arm_deadline(started_ + total_timeout_);
    else
      deadline_.cancel();
    std::array<net::const_buffer, 2> request{net::buffer(head_),
                                             net::buffer(body_)};
    net::async_write(socket_, request,
                     [self = shared_from_this(),
                      on = connection_](error_code ec, std::size_t) {
                       self->on_written(on, ec);
                     });
    // A provider may answer before it has read the whole request (a 413).
    read();
  }

  void on_written(std::uint32_t on, error_code ec) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (ended_ || on != connection_)
      return;
    if (ec && went_stale())
      return connect_again();
    if (ec)
      return end(transfer_code::send_error, "Send failure: " + ec.message());
    written_ = true;
    // Kept while a stale connection may still make it go again.
    if (!reused_) {
      std::string{}.swap(head_);
      std::string{}.swap(body_);
    }
  }

  void read() {
    socket_.async_read_some(buffer_.prepare(read_size),
                            [self = shared_from_this(),
                             on = connection_](error_code ec, std::size_t n) {
                              self->on_read(on, ec, n);
                            });
  }

  void on_read(std::uint32_t on, error_code ec, std::size_t n) {
    // The call this wakes runs here once the lock is let go.
    woken_here wakes;
    std::lock_guard<std::mutex> guard{mutex_};
    if (ended_ || on != connection_)
      return;
    if (ec && went_stale())
      return connect_again();
    if (ec == net::error::eof)
      return on_eof();
    if (ec)
      return end(transfer_code::recv_error, "Recv failure: " + ec.message());
    buffer_.commit(n);
    if (parse())
      read();
  }

  /// A kept connection the provider closed while it idled: nothing of an
  /// answer came on it, so the request goes again on a new one.
  bool went_stale() const {
    return reused_ && !response_->got_some();
  }

  void connect_again() {
    reused_ = false;
    ++connection_;
    error_code ignored;
    socket_.close(ignored);
    socket_ = tcp::socket{strand_};
    buffer_.consume(buffer_.size());
    written_ = false;
    connected_ = false;
    connect();
  }

  /// Parses what was read; false once the transfer has ended.
  bool parse() {
    for (;;) {
      error_code ec;
      response_->parse(buffer_, ec);
      if (ec) {
        end(transfer_code::weird_reply, "Weird server reply: " + ec.message());
        return false;
      }
      report_head();
      report_body();
      if (!response_->is_done())
        return true;
      if (response_->status() >= 200) {
        end(0, {});
        return false;
      }
      // An interim response (1xx): the real one follows.
      response_.emplace();
    }
  }

  void on_eof() {
    if (response_->end_of_stream()) {
      report_head();
      report_body();
      return end(0, {});
    }
    if (!response_->got_some())
      return end(transfer_code::empty_reply, "Empty reply from server");
    end(transfer_code::partial,
        "transfer closed with outstanding read data remaining");
  }

  void report_head() {
    if (head_reported_ || !response_->is_header_done()
        || response_->status() < 200)
      return;
    head_reported_ = true;
    if (callbacks_.on_head)
      callbacks_.on_head(response_->status(), response_->retry_after());
  }

  void report_body() {
    auto bytes = response_->body();
    if (!bytes.empty() && callbacks_.on_body)
      callbacks_.on_body(bytes, clock::now() - started_);
    response_->clear_body();
  }

  void arm_deadline(clock::time_point at) {
    deadline_.expires_at(at);
    deadline_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec)
        self->on_deadline();
    });
  }

  void on_deadline() {
    std::lock_guard<std::mutex> guard{mutex_};
    // A wait that had already expired when the deadline moved.
    if (ended_ || clock::now() < deadline_.expiry())
      return;
    auto waited = millis(clock::now() - started_);
    if (!connected_)
      return end(transfer_code::timed_out,
                 "Connection timed out after " + waited + " milliseconds");
    end(transfer_code::timed_out,
        "Operation timed out after " + waited + " milliseconds with "
          + std::to_string(response_->body_bytes()) + " bytes received");
  }

  /// Reports how it ended, then lets go of everything; a connection the
  /// answer left reusable goes to the pool.
  void end(int code, std::string message) {
    auto callbacks = std::move(callbacks_);
    if (code == 0 && reusable())
      keep_connection();
    close();
    index_->remove(id_);
    if (callbacks.on_done)
      callbacks.on_done(transfer_result{code, std::move(message)});
  }

  /// Complete, with nothing unsent or unread, and not to be closed.
  bool reusable() const {
    return written_ && response_->is_done() && response_->keep_alive()
           && buffer_.size() == 0 && socket_.is_open();
  }

  void keep_connection() {
    deadline_.cancel();
    pool_->put(context_, url_.authority,
               idle_connection{strand_, std::move(socket_), clock::now()});
    socket_ = tcp::socket{strand_};
  }

  void close() {
    ended_ = true;
    callbacks_ = {};
    release_socket();
  }

  void release_socket() {
    error_code ignored;
    socket_.close(ignored);
    deadline_.cancel();
    resolver_.cancel();
  }

  strand_type strand_;
  tcp::socket socket_;
  /// The socket came from the pool (until a stale one is replaced).
  bool reused_;
  /// Counts the sockets this transfer used: a handler of a replaced one
  /// does nothing.
  std::uint32_t connection_ = 0;
  const void* context_;
  net::steady_timer deadline_;
  tcp::resolver resolver_;
  std::uint64_t id_;
  plain_http_url url_;
  /// The request, until written (a body with a page's screenshot is
  /// megabytes: written from the caller's string, not a copy).
  std::string head_;
  std::string body_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds total_timeout_;
  transfer_callbacks callbacks_;
  std::shared_ptr<transfer_index> index_;
  std::shared_ptr<connection_pool> pool_;
  boost::beast::flat_buffer buffer_;
  std::optional<streamed_response> response_{std::in_place};
  clock::time_point started_;
  std::mutex mutex_;
  bool connected_ = false;
  bool written_ = false;
  bool head_reported_ = false;
  bool ended_ = false;
};

class asio_http_engine final : public plain_http_engine {
public:
  explicit asio_http_engine(io_context_pool& contexts)
      : contexts_(contexts), proxied_(http_proxy_configured(std::getenv)) {}

  ~asio_http_engine() override {
    for (auto& t : index_->take_all())
      t->abandon();
  }

  bool start(std::uint64_t id, http_transfer& transfer,
             transfer_callbacks& callbacks) override {
    auto url = proxied_ ? std::nullopt : parse_plain_http_url(transfer.url);
    if (!url)
      return false;
    auto& context = contexts_.at(contexts_.near_or_next(transfer.near));
    auto t = std::make_shared<plain_transfer>(
      context, pool_->take(&context, url->authority), id, std::move(*url),
      std::move(transfer), std::move(callbacks), index_, pool_);
    index_->add(id, t);
    t->start();
    return true;
  }

  void cancel(std::uint64_t id) override {
    if (auto t = index_->take(id))
      t->cancel();
  }

private:
  io_context_pool& contexts_;
  bool proxied_;
  std::shared_ptr<transfer_index> index_ = std::make_shared<transfer_index>();
  std::shared_ptr<connection_pool> pool_ = std::make_shared<connection_pool>();
};

} // namespace

std::unique_ptr<plain_http_engine>
make_asio_http_engine(io_context_pool& contexts) {
  return std::make_unique<asio_http_engine>(contexts);
}

} // namespace agenttheo::http
