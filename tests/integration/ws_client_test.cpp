// The WebSocket transport with a real Beast client against the real
// `agenttheo` binary on loopback: a run streamed with permessage-deflate
// negotiated, a resume by event id, two runs on one socket with one of them
// cancelled, bad messages answered with the socket going on, and the close
// codes for binary and oversized client messages.
#define CAF_SUITE websocket
#define CAF_TEST_NO_MAIN
#include <caf/test/unit_test_impl.hpp>
// After the impl: the support folder's checks, safe for temporaries.
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <rapidjson/document.h>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/// The real binary on an ephemeral port, stopped with SIGTERM.
class server_process {
public:
  explicit server_process(std::vector<std::string> flags) {
    const char* bin = std::getenv("AGENTTHEO_BIN");
    CAF_REQUIRE(bin != nullptr);
    int err[2];
    CAF_REQUIRE(pipe(err) == 0);
    pid_ = fork();
    CAF_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      // If this test dies, the server goes with it rather than holding the
      // test's pipes open until CTest's timeout.
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      dup2(err[1], STDERR_FILENO);
      close(err[0]);
      // STORE=memory: each server here starts afresh (a store would be
      // shared through the working directory).
      std::vector<std::string> args{bin, "serve", "--host", "127.0.0.1",
                                    "--port", "0", "--browser", "none",
                                    "--planner-token-delay", "0",
                                    "--store", "memory"};
      args.insert(args.end(), flags.begin(), flags.end());
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin, argv.data());
      _exit(127);
    }
    close(err[1]);
    log_ = fdopen(err[0], "r");
    std::regex listening{R"(listening on http://[^:]+:(\d+))"};
    char line[1024];
    while (port_ == 0 && std::fgets(line, sizeof(line), log_)) {
      std::cmatch m;
      if (std::regex_search(line, m, listening))
        port_ = static_cast<unsigned short>(std::stoi(m[1].str()));
    }
    CAF_REQUIRE(port_ != 0);
  }

  ~server_process() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    std::fclose(log_);
  }

  unsigned short port() const {
    return port_;
  }

private:
  pid_t pid_ = -1;
  FILE* log_ = nullptr;
  unsigned short port_ = 0;
};

/// A connected WebSocket client, deflate offered.
struct client {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  websocket::response_type handshake;

  explicit client(unsigned short port, bool deflate = true) {
    tcp::resolver resolver{ioc};
    net::connect(ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    websocket::permessage_deflate pmd;
    pmd.client_enable = deflate;
    ws.set_option(pmd);
    ws.handshake(handshake, "127.0.0.1:" + std::to_string(port), "/ws");
  }

  void send(const std::string& text) {
    ws.text(true);
    ws.write(net::buffer(text));
  }

  rapidjson::Document receive() {
    beast::flat_buffer buffer;
    ws.read(buffer);
    rapidjson::Document doc;
    auto text = beast::buffers_to_string(buffer.data());
    doc.Parse(text.c_str());
    CAF_REQUIRE(!doc.HasParseError());
    return doc;
  }

  /// Reads until the connection closes; returns the close code.
  std::uint16_t closed_with() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    while (!ec)
      ws.read(buffer, ec);
    CAF_CHECK(ec == websocket::error::closed);
    return ws.reason().code;
  }
};

/// Event types and ids of a run, read until its `complete`.
struct run_events {
  std::vector<std::string> types;
  std::vector<std::uint64_t> ids;
};

run_events read_run(client& c) {
  run_events out;
  for (;;) {
    auto msg = c.receive();
    std::string type = msg["type"].GetString();
    out.types.push_back(type);
    out.ids.push_back(msg["id"].GetUint64());
    if (type == "complete")
      return out;
  }
}

} // namespace

CAF_TEST(a run streams over WebSocket with deflate negotiated) {
  server_process server{{}};
  client c{server.port()};
  auto ext = std::string{c.handshake[beast::http::field::sec_websocket_extensions]};
  CAF_CHECK(ext.find("permessage-deflate") != std::string::npos);
  c.send(R"({"type":"run","command":"hello","messageId":"ws-cpp-1","ref":"a"})");
  auto ack = c.receive();
  CAF_CHECK_EQUAL(ack["type"].GetString(), std::string{"subscribed"});
  CAF_CHECK_EQUAL(ack["ref"].GetString(), std::string{"a"});
  CAF_CHECK_EQUAL(ack["data"]["key"].GetString(), std::string{"run:ws-cpp-1"});
  auto run = read_run(c);
  CAF_REQUIRE(run.types.size() > 4);
  CAF_CHECK_EQUAL(run.types.front(), "start");
  CAF_CHECK_EQUAL(run.types.back(), "complete");
  for (std::size_t i = 1; i < run.ids.size(); ++i)
    CAF_CHECK_EQUAL(run.ids[i], run.ids[i - 1] + 1);

  // The same run again from a second client, resumed after its fourth event:
  // exactly the rest, in order.
  client later{server.port(), false};
  CAF_CHECK(std::string{later.handshake[beast::http::field::sec_websocket_extensions]}
              .empty());
  later.send(R"({"type":"subscribe","messageId":"ws-cpp-1","lastEventId":)"
             + std::to_string(run.ids[3]) + "}");
  CAF_CHECK_EQUAL(later.receive()["type"].GetString(), std::string{"subscribed"});
  auto rest = read_run(later);
  CAF_CHECK(rest.ids == std::vector<std::uint64_t>(run.ids.begin() + 4, run.ids.end()));
}

CAF_TEST(binary and oversized client messages close the socket) {
  server_process server{{"--ws-max-message", "1024"}};
  client binary{server.port()};
  binary.ws.binary(true);
  binary.ws.write(net::buffer(std::string{"\x01\x02"}));
  CAF_CHECK_EQUAL(binary.closed_with(), 1003u);

  client big{server.port()};
  big.send(R"({"type":"run","command":")" + std::string(2000, 'x') + "\"}");
  CAF_CHECK_EQUAL(big.closed_with(), 1009u);

  // The server keeps serving.
  client after{server.port()};
  after.send(R"({"type":"ping","ref":"still"})");
  auto pong = after.receive();
  CAF_CHECK_EQUAL(pong["type"].GetString(), std::string{"pong"});
}

CAF_TEST(one socket follows two runs and cancels one while bad messages are refused) {
  server_process server{{"--planner-token-delay", "20ms"}};
  client c{server.port()};
  c.send(R"({"type":"run","command":"hello","messageId":"ws-a","ref":"a"})");
  c.send(R"({"type":"run","command":"hello there","messageId":"ws-b","ref":"b"})");
  c.send("this is not JSON");
  c.send(R"({"type":"dance","ref":"d"})");
  std::map<std::string, std::string> session_of;   // messageId -> session
  std::map<std::string, std::string> errors;       // ref -> code
  std::map<std::string, bool> cancelled;           // messageId -> complete.cancelled
  std::map<std::string, int> tokens;               // messageId -> tokens seen
  bool cancel_answered = false;
  while (cancelled.size() < 2) {
    auto msg = c.receive();
    std::string type = msg["type"].GetString();
    auto ref = msg.HasMember("ref") ? std::string{msg["ref"].GetString()} : "";
    if (type == "subscribed") {
      session_of[msg["data"]["messageId"].GetString()] = msg["data"]["session"].GetString();
    } else if (type == "error" && !msg.HasMember("id")) {
      errors[ref] = msg["data"]["code"].GetString();
    } else if (type == "cancelled") {
      cancel_answered = true;
      CAF_CHECK_EQUAL(msg["data"]["cancelled"].GetString(), std::string{"ws-a"});
    } else if (type == "token" && ++tokens[msg["messageId"].GetString()] == 3
               && msg["messageId"].GetString() == std::string{"ws-a"}) {
      c.send(R"({"type":"cancel","ref":"c","session":")" + session_of["ws-a"] + "\"}");
    } else if (type == "complete") {
      cancelled[msg["messageId"].GetString()] = msg["data"]["cancelled"].GetBool();
    }
  }
  // Two sessions, one socket; only the one cancelled stopped.
  CAF_CHECK_EQUAL(session_of.size(), 2u);
  CAF_CHECK_NOT_EQUAL(session_of["ws-a"], session_of["ws-b"]);
  CAF_CHECK(cancel_answered);
  CAF_CHECK(cancelled["ws-a"]);
  CAF_CHECK(!cancelled["ws-b"]);
  CAF_CHECK_LESS(tokens["ws-a"], tokens["ws-b"]);
  CAF_CHECK_EQUAL(errors[""], "bad_json");
  CAF_CHECK_EQUAL(errors["d"], "unknown_type");
  // And the socket still serves.
  c.send(R"({"type":"ping","ref":"p"})");
  CAF_CHECK_EQUAL(c.receive()["type"].GetString(), std::string{"pong"});
}

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  return caf::test::main(argc, argv);
}
