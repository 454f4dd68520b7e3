#include "streams/caf_bridge.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/mcp_server.hpp"
#include "actors/steering_tools.hpp"
#include "messages/cluster_messages.hpp"
#include "messages/mcp_messages.hpp"
#include "messages/messages.hpp"
#include "messages/registry_messages.hpp"
#include "protocol/jsonrpc.hpp"
#include "protocol/rerun_script_of.hpp"
#include "protocol/simple_response.hpp"
#include "streams/admin_stream.hpp"
#include "streams/mcp_listen_stream.hpp"
#include "streams/mcp_run_stream.hpp"
#include "streams/sse_connection.hpp"
#include "streams/ws_connection.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

constexpr auto manager_timeout = std::chrono::seconds{5};

api_result unavailable() {
  auto err = api_error::of(api_code::unavailable,
                           "the session manager did not answer in time");
  return {err.status, error_body(err)};
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

/// Opens `request`'s run like a stream whose subscriber only wants the
/// answer: accepted (with the run's state) or rejected (with why).
caf::behavior start_run(caf::event_based_actor* self, const caf::actor& manager,
                        const stream_request& request, const api_callback& reply) {
  self->send(manager, agenttheo::open_stream{caf::actor{self}, request, nullptr, nullptr});
  return {
    [self, reply](stream_accepted& accepted) {
      reply(run_submitted(accepted));
      self->quit();
    },
    [self, reply](api_error& rejected) {
      reply({rejected.status, error_body(rejected)});
      self->quit();
    },
    caf::after(manager_timeout) >>
      [self, reply] {
        reply(unavailable());
        self->quit();
      },
  };
}

/// The run that repeats `script`, where and as `order` asks.
stream_request rerun_request(const rerun_order& order, rerun_script script) {
  stream_request request;
  request.rerun = std::move(script);
  request.rerun.fallback = order.fallback;
  request.command = request.rerun.command;
  request.session_id = order.session_id;
  request.message_id = order.message_id;
  request.client = order.client;
  request.subscribe = false;
  return request;
}

class caf_bridge final : public actor_bridge {
public:
  caf_bridge(caf::actor_system& system, caf::actor manager, caf::actor registry)
    : system_(system), manager_(std::move(manager)), registry_(std::move(registry)),
      mcp_(system_.spawn(mcp_server, manager_)) {
  }

  void mcp_message(mcp_post post, mcp_callback reply) override {
    ask_mcp(std::move(post), std::move(reply));
  }

  void mcp_end(mcp_delete request, mcp_callback reply) override {
    ask_mcp(std::move(request), std::move(reply));
  }

  void mcp_resume(agenttheo::mcp_resume request, mcp_callback reply) override {
    ask_mcp(std::move(request), std::move(reply));
  }

  void mcp_run(std::shared_ptr<sse_writer> writer, mcp_run_order order,
               std::string cors_origin) override {
    system_.spawn(mcp_run_stream, std::move(writer), std::move(order),
                  std::move(cors_origin), manager_);
  }

  void mcp_listen(std::shared_ptr<sse_writer> writer, const mcp_answer& answer,
                  std::string cors_origin) override {
    mcp_listen_order order{answer.mcp_session, answer.run.session_id, answer.run.client};
    system_.spawn(mcp_listen_stream, std::move(writer), std::move(order),
                  std::move(cors_origin), manager_, mcp_);
  }

  void open_stream(std::shared_ptr<sse_writer> writer, stream_request request,
                   std::string cors_origin) override {
    system_.spawn(sse_connection, std::move(writer), std::move(request),
                  std::move(cors_origin), manager_);
  }

  void open_websocket(std::shared_ptr<ws_writer> writer,
                      websocket_client client) override {
    ws_connection_settings settings;
    settings.max_command_length = client.max_command_length;
    settings.client = std::move(client.client);
    settings.messages_per_second = client.messages_per_second;
    settings.input_events_per_second = client.input_events_per_second;
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

  void create_session(new_session_request request, api_callback reply) override {
    ask(std::move(reply), std::move(request));
  }

  void read_clients(std::vector<std::pair<std::string, std::uint64_t>> streams,
                    std::function<void(std::optional<std::string>)> reply) override {
    client_streams_view view;
    for (auto& [client, count] : streams) {
      view.clients.push_back(std::move(client));
      view.streams.push_back(count);
    }
    system_.spawn([manager = manager_, view = std::move(view),
                   reply = std::move(reply)](caf::event_based_actor* self) mutable {
      self->request(manager, manager_timeout, clients_atom::value, std::move(view))
        .then([reply](std::string& json) { reply(std::move(json)); },
              [reply](caf::error&) { reply(std::nullopt); });
    });
  }

  void describe_session(std::string session_id, api_callback reply) override {
    ask(std::move(reply), agenttheo::describe_session{std::move(session_id)});
  }

  void cancel_session(std::string session_id, bool remove, std::string reason,
                      api_callback reply) override {
    ask(std::move(reply), agenttheo::cancel_session{std::move(session_id), remove,
                                                    std::move(reason)});
  }

  std::string tools_json() override {
    // The table never changes while the process runs.
    static const auto json = agent_tools_json();
    return json;
  }

  void steer_session(agenttheo::steer_session request, api_callback reply) override {
    ask(std::move(reply), std::move(request));
  }

  void update_session(agenttheo::update_session request, api_callback reply) override {
    ask(std::move(reply), std::move(request));
  }

  void read_admin(admin_view view,
                  std::function<void(std::optional<std::string>)> reply) override {
    system_.spawn([registry = registry_, manager = manager_, view,
                   reply = std::move(reply)](
                    caf::event_based_actor* self) {
      auto answer = [reply](std::string& text) { reply(std::move(text)); };
      auto failed = [reply](caf::error&) { reply(std::nullopt); };
      switch (view) {
        case admin_view::actors:
          self->request(registry, manager_timeout, admin_actors_atom::value)
            .then(answer, failed);
          break;
        case admin_view::stats:
          self->request(registry, manager_timeout, admin_stats_atom::value)
            .then(answer, failed);
          break;
        case admin_view::metrics:
          self->request(registry, manager_timeout, metrics_atom::value)
            .then(answer, failed);
          break;
        case admin_view::nodes:
          self->request(manager, manager_timeout, nodes_atom::value)
            .then(answer, failed);
          break;
      }
    });
  }

  void disconnect(std::uint64_t actor, api_callback reply) override {
    ask_actor(registry_, std::move(reply), disconnect_actor{actor});
  }

  void open_admin_stream(std::shared_ptr<sse_writer> writer,
                         std::string cors_origin) override {
    system_.spawn(admin_stream, std::move(writer), std::move(cors_origin), registry_);
  }

  void read_run_events(std::string message_id, std::uint64_t after_id,
                       api_callback reply) override {
    ask(std::move(reply), agenttheo::read_run_events{std::move(message_id),
                                                     after_id});
  }

  void read_run_view(std::string message_id, run_view view, std::uint64_t frame_id,
                     api_callback reply) override {
    ask(std::move(reply), agenttheo::read_run_view{std::move(message_id), view, frame_id});
  }

  void submit_run(stream_request request, api_callback reply) override {
    system_.spawn([manager = manager_, request = std::move(request),
                   reply = std::move(reply)](caf::event_based_actor* self) {
      return start_run(self, manager, request, reply);
    });
  }

  void rerun_run(rerun_order order, api_callback reply) override {
    // The recorded run's events, as the API reads them, make the script;
    // then the rerun starts as any run the API submits.
    system_.spawn([manager = manager_, order = std::move(order),
                   reply = std::move(reply)](caf::event_based_actor* self) {
      self->request(manager, manager_timeout, agenttheo::read_run_events{order.of, 0})
        .then(
          [self, manager, order, reply](api_reply& events) {
            if (events.status != 200)
              return reply({events.status, std::move(events.json)});
            auto script = rerun_script_of(events.json);
            if (auto* err = std::get_if<api_error>(&script))
              return reply({err->status, error_body(*err)});
            auto request = rerun_request(order, std::get<rerun_script>(std::move(script)));
            self->become(start_run(self, manager, request, reply));
          },
          [reply](caf::error&) { reply(unavailable()); });
    });
  }

private:
  /// Asks the manager, in a one-shot actor, for an `api_reply`.
  template <class Message>
  void ask(api_callback reply, Message msg) {
    ask_actor(manager_, std::move(reply), std::move(msg));
  }

  template <class Message>
  void ask_actor(const caf::actor& target, api_callback reply, Message msg) {
    system_.spawn([target, reply = std::move(reply),
                   msg = std::move(msg)](caf::event_based_actor* self) {
      self->request(target, manager_timeout, msg)
        .then([reply](api_reply& r) {
                reply({r.status, std::move(r.json), r.retry_after_s,
                       std::move(r.content_type)});
              },
              [reply](caf::error&) { reply(unavailable()); });
    });
  }

  /// The MCP actor's answer; its tools may take minutes (a navigation,
  /// a run), within its own timeouts.
  template <class Message>
  void ask_mcp(Message msg, mcp_callback reply) {
    system_.spawn([target = mcp_, reply = std::move(reply),
                   msg = std::move(msg)](caf::event_based_actor* self) {
      self->request(target, std::chrono::minutes{5}, msg)
        .then([reply](mcp_answer& a) { reply(std::move(a)); },
              [reply](caf::error&) {
                reply({503, jsonrpc_error("null", jsonrpc_code::internal_error,
                                          "the MCP server did not answer in time"),
                       {}, false, {}});
              });
    });
  }

  caf::actor_system& system_;
  caf::actor manager_;
  caf::actor registry_;
  caf::actor mcp_;
};

} // namespace

std::unique_ptr<actor_bridge> make_caf_bridge(caf::actor_system& system,
                                              caf::actor manager,
                                              caf::actor registry) {
  return std::make_unique<caf_bridge>(system, std::move(manager),
                                      std::move(registry));
}

} // namespace agenttheo
