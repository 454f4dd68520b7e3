#include "http/curl_io_engine.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "http/io_context_pool.hpp"
#include "llm/curl_engine.hpp"

namespace agenttheo::http {

namespace {

namespace net = boost::asio;
using strand_type = net::strand<net::io_context::executor_type>;
using clock = std::chrono::steady_clock;

/// A socket curl asked the I/O context to watch.
struct watched_socket {
  watched_socket(const strand_type& strand, curl_socket_t fd) : descriptor(strand, fd) {}
  net::posix::stream_descriptor descriptor;
  /// What curl wants: CURL_POLL_IN, _OUT or both.
  int wanted = 0;
  bool reading = false;
  bool writing = false;
  /// curl is done with it (the descriptor no longer owns the number).
  bool gone = false;
};

/// curl's multi-socket API on an I/O context: each socket curl watches is
/// waited on by the context's reactor, curl's timer is a context timer, and
/// every call into curl runs on one strand. The state outlives the engine
/// while handlers still hold it; `close` makes them do nothing.
class io_transfers : public std::enable_shared_from_this<io_transfers> {
public:
  explicit io_transfers(net::io_context& ioc)
      : strand_(net::make_strand(ioc)), timer_(strand_) {
    multi_ = make_multi(on_socket, on_timer, this);
    table_ = std::make_unique<transfer_table>(multi_);
  }

  const strand_type& strand() const {
    return strand_;
  }

  void add(std::unique_ptr<running_transfer> t) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (closed_)
      return;
    table_->add(std::move(t));
  }

  void cancel(std::uint64_t id) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (closed_)
      return;
    table_->cancel(id);
  }

  /// From the engine's destructor, any thread: every transfer ends
  /// unreported and no handler touches curl again.
  void close() {
    std::lock_guard<std::mutex> guard{mutex_};
    if (closed_)
      return;
    closed_ = true;
    table_.reset();
    // curl says `CURL_POLL_REMOVE` before it closes a socket, in here too.
    curl_multi_cleanup(multi_);
    for (auto& [fd, socket] : sockets_)
      forget(*socket);
    sockets_.clear();
    timer_.cancel();
  }

private:
  static int on_socket(CURL*, curl_socket_t fd, int what, void* self_ptr, void*) {
    auto* self = static_cast<io_transfers*>(self_ptr);
    auto i = self->sockets_.find(fd);
    if (what == CURL_POLL_REMOVE) {
      if (i != self->sockets_.end()) {
        forget(*i->second);
        self->sockets_.erase(i);
      }
      return 0;
    }
    if (i == self->sockets_.end())
      i = self->sockets_.emplace(fd, std::make_shared<watched_socket>(self->strand_, fd))
            .first;
    i->second->wanted = what;
    self->arm(i->second);
    return 0;
  }

  /// The descriptor lets go of the number before curl closes it.
  static void forget(watched_socket& socket) {
    socket.gone = true;
    boost::system::error_code ignored;
    socket.descriptor.cancel(ignored);
    socket.descriptor.release();
  }

  /// curl moves its deadline several times as a transfer starts (now, then
  /// the connect timeout, then the next one). Re-arming the timer each time
  /// costs a `timerfd_settime` and a cancelled handler, so a wait that ends
  /// no later than the wanted deadline is kept; waking early, it waits on
  /// for the wanted one (curl does not repeat a deadline it already gave).
  static int on_timer(CURLM*, long timeout_ms, void* self_ptr) {
    auto* self = static_cast<io_transfers*>(self_ptr);
    if (timeout_ms < 0) {
      self->wanted_.reset();
      return 0;
    }
    if (timeout_ms == 0) {
      // At once: a job on the strand, no timer involved.
      self->wanted_.reset();
      net::post(self->strand_,
                [self = self->shared_from_this()] { self->on_timeout(); });
      return 0;
    }
    auto at = clock::now() + std::chrono::milliseconds{timeout_ms};
    self->wanted_ = at;
    if (!self->armed_ || *self->armed_ > at)
      self->arm_timer(at);
    return 0;
  }

  void arm_timer(clock::time_point at) {
    armed_ = at;
    timer_.expires_at(at);
    timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) {
        // Aborted: an earlier wait replaced this one and owns `armed_`.
        if (!ec)
          self->on_timer_expired();
      });
  }

  void on_timer_expired() {
    std::lock_guard<std::mutex> guard{mutex_};
    armed_.reset();
    if (closed_ || !wanted_)
      return;
    if (clock::now() < *wanted_)
      return arm_timer(*wanted_);
    wanted_.reset();
    run_timeouts();
  }

  /// Waits for what curl wants of `socket` and is not yet waited for.
  void arm(const std::shared_ptr<watched_socket>& socket) {
    if ((socket->wanted & CURL_POLL_IN) && !socket->reading) {
      socket->reading = true;
      wait(socket, net::posix::stream_descriptor::wait_read, CURL_CSELECT_IN);
    }
    if ((socket->wanted & CURL_POLL_OUT) && !socket->writing) {
      socket->writing = true;
      wait(socket, net::posix::stream_descriptor::wait_write, CURL_CSELECT_OUT);
    }
  }

  void wait(const std::shared_ptr<watched_socket>& socket,
            net::posix::stream_descriptor::wait_type type, int flag) {
    socket->descriptor.async_wait(
      type, [self = shared_from_this(), socket, flag](boost::system::error_code ec) {
        self->on_ready(socket, ec, flag);
      });
  }

  void on_ready(const std::shared_ptr<watched_socket>& socket,
                boost::system::error_code ec, int flag) {
    std::lock_guard<std::mutex> guard{mutex_};
    (flag == CURL_CSELECT_IN ? socket->reading : socket->writing) = false;
    if (closed_ || socket->gone || ec == net::error::operation_aborted)
      return;
    int running = 0;
    curl_multi_socket_action(multi_, socket->descriptor.native_handle(),
                             ec ? CURL_CSELECT_ERR : flag, &running);
    table_->reap();
    // curl may have let go of the socket meanwhile, or want it again.
    if (!socket->gone)
      arm(socket);
  }

  void on_timeout() {
    std::lock_guard<std::mutex> guard{mutex_};
    if (!closed_)
      run_timeouts();
  }

  void run_timeouts() {
    int running = 0;
    curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    table_->reap();
  }

  strand_type strand_;
  net::steady_timer timer_;
  /// When curl wants to be called back, and when the pending wait ends.
  std::optional<clock::time_point> wanted_;
  std::optional<clock::time_point> armed_;
  CURLM* multi_ = nullptr;
  std::unique_ptr<transfer_table> table_;
  std::unordered_map<curl_socket_t, std::shared_ptr<watched_socket>> sockets_;
  std::mutex mutex_;
  bool closed_ = false;
};

/// One multi handle per I/O context. A transfer goes to the context it is
/// asked to be near (its session's subscribers'), else to the contexts in
/// turn: a call's actor, and its session's, then run where its bytes are
/// read (a message sent on an I/O thread runs there), and the tokens reach
/// the subscribers' sockets with no other thread woken. Calls started
/// together, all by one session manager's thread, still spread.
class io_engine final : public curl_engine {
public:
  explicit io_engine(io_context_pool& contexts) : contexts_(contexts) {
    for (std::size_t i = 0; i < contexts.size(); ++i)
      handles_.push_back(std::make_shared<io_transfers>(contexts.at(i)));
  }

  ~io_engine() override {
    for (auto& handle : handles_)
      handle->close();
  }

  void submit(std::unique_ptr<running_transfer> transfer) override {
    auto& handle = handles_[contexts_.near_or_next(transfer->near)];
    net::post(handle->strand(), [handle, t = std::move(transfer)]() mutable {
      handle->add(std::move(t));
    });
  }

  /// Whichever handle has it: a cancel is rare, and one that finds nothing
  /// does nothing.
  void cancel(std::uint64_t id) override {
    for (auto& handle : handles_)
      net::post(handle->strand(), [handle, id] { handle->cancel(id); });
  }

private:
  io_context_pool& contexts_;
  /// A multi handle per context, in the contexts' order.
  std::vector<std::shared_ptr<io_transfers>> handles_;
};

} // namespace

std::unique_ptr<curl_engine> make_curl_io_engine(io_context_pool& contexts) {
  return std::make_unique<io_engine>(contexts);
}

} // namespace agenttheo::http
