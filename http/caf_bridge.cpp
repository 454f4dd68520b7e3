#include "http/caf_bridge.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "http/simple_response.hpp"
#include "http/sse_connection.hpp"
#include "http/ws_connection.hpp"
#include "messages/json_writer.hpp"
#include "messages/messages.hpp"

namespace agenttheo::http {

namespace {

constexpr auto manager_timeout = std::chrono::seconds{5};

api_result unavailable() {
  return {503, error_body({503, "unavailable",
                           "the session manager did not answer in time"})};
}

/// 202 for a run started (or queued) through the API: where to watch it.
api_result run_submitted(const stream_accepted& accepted) {
  json_writer out;
  out.begin_object()
    .field("session", accepted.session_id)
    .field("messageId", accepted.message_id)
    .field("state", accepted.run_state)
    .field("stream", "/stream?messageId=" + accepted.message_id)
    .field("events", "/api/runs/" + accepted.message_id + "/events")
    .end_object();
  return {202, out.str()};
}

class caf_bridge final : public actor_bridge {
public:
  caf_bridge(caf::actor_system& system, caf::actor manager)
    : system_(system), manager_(std::move(manager)) {
  }

  void open_stream(std::shared_ptr<sse_writer> writer, stream_request request,
                   std::string cors_origin) override {
    system_.spawn(sse_connection, std::move(writer), std::move(request),
                  std::move(cors_origin), manager_);
  }

  void open_websocket(std::shared_ptr<ws_writer> writer,
                      std::size_t max_command_length) override {
    ws_connection_settings settings;
    settings.max_command_length = max_command_length;
    system_.spawn(ws_connection, std::move(writer), manager_, settings);
  }

  void list_sessions(
    std::function<void(std::optional<std::string>)> reply) override {
    // A one-shot actor: the asking socket must not block on the answer.
    system_.spawn([manager = manager_, reply = std::move(reply)](
                    caf::event_based_actor* self) {
      self->request(manager, manager_timeout, list_sessions_atom::value)
        .then([reply](std::string& json) { reply(std::move(json)); },
              [reply](caf::error&) { reply(std::nullopt); });
    });
  }

  void create_session(api_callback reply) override {
    ask(std::move(reply), create_session_atom::value);
  }

  void describe_session(std::string session_id, api_callback reply) override {
    ask(std::move(reply), agenttheo::describe_session{std::move(session_id)});
  }

  void cancel_session(std::string session_id, bool remove,
                      api_callback reply) override {
    ask(std::move(reply),
        agenttheo::cancel_session{std::move(session_id), remove});
  }

  void read_run_events(std::string message_id, std::uint64_t after_id,
                       api_callback reply) override {
    ask(std::move(reply), agenttheo::read_run_events{std::move(message_id),
                                                     after_id});
  }

  void submit_run(stream_request request, api_callback reply) override {
    // The run is opened like a stream whose subscriber only wants the
    // answer: accepted (with the run's state) or rejected (with why).
    system_.spawn([manager = manager_, request = std::move(request),
                   reply = std::move(reply)](caf::event_based_actor* self) {
      self->send(manager, agenttheo::open_stream{caf::actor{self}, request});
      return caf::behavior{
        [self, reply](stream_accepted& accepted) {
          reply(run_submitted(accepted));
          self->quit();
        },
        [self, reply](stream_rejected& rejected) {
          reply({rejected.status,
                 error_body({rejected.status, rejected.code, rejected.message})});
          self->quit();
        },
        caf::after(manager_timeout) >>
          [self, reply] {
            reply(unavailable());
            self->quit();
          },
      };
    });
  }

private:
  /// Asks the manager, in a one-shot actor, for an `api_reply`.
  template <class Message>
  void ask(api_callback reply, Message msg) {
    system_.spawn([manager = manager_, reply = std::move(reply),
                   msg = std::move(msg)](caf::event_based_actor* self) {
      self->request(manager, manager_timeout, msg)
        .then([reply](api_reply& r) { reply({r.status, std::move(r.json)}); },
              [reply](caf::error&) { reply(unavailable()); });
    });
  }

  caf::actor_system& system_;
  caf::actor manager_;
};

} // namespace

std::unique_ptr<actor_bridge> make_caf_bridge(caf::actor_system& system,
                                              caf::actor manager) {
  return std::make_unique<caf_bridge>(system, std::move(manager));
}

} // namespace agenttheo::http
