#include "actors/mcp_server.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include <caf/all.hpp>

#include "actors/mcp_elicitation.hpp"
#include "actors/mcp_resources.hpp"
#include "actors/mcp_tasks.hpp"
#include "actors/mcp_tools.hpp"
#include "messages/mcp_messages.hpp"
#include "messages/messages.hpp"
#include "messages/steer_request.hpp"
#include "protocol/jsonrpc.hpp"
#include "util/clock.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"
#include "util/random_id.hpp"
#include "protocol/stream_params.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<mcp_server_state>*;
using mcp_sweep_atom = caf::atom_constant<caf::atom("mcp_sweep")>;

/// Newest first: what `initialize` offers when the client's is unknown.
constexpr std::array<std::string_view, 3> supported_versions{"2025-11-25", "2025-06-18",
                                                              "2025-03-26"};

constexpr auto session_timeout = std::chrono::seconds{10};
/// As MAX_COMMAND_LENGTH's default: a command, not a document.
constexpr std::size_t max_mcp_command = 4'000;
constexpr auto tool_timeout = std::chrono::minutes{3};
/// How soon an MCP session notices that its AgentTheo session ended.
constexpr auto sweep_every = std::chrono::seconds{2};
constexpr std::size_t max_tasks = 64;
constexpr std::size_t max_subscriptions = 64;

bool supported(std::string_view version) {
  return std::find(supported_versions.begin(), supported_versions.end(), version)
         != supported_versions.end();
}

mcp_answer answer(std::string_view id_json, std::string_view result_json) {
  return {200, jsonrpc_result(id_json, result_json), {}, false, {}};
}

mcp_answer failure(std::uint16_t status, std::string_view id_json, int code,
                   std::string_view message) {
  return {status, jsonrpc_error(id_json, code, message), {}, false, {}};
}

std::string initialize_result(std::string_view version) {
  json_writer out;
  out.begin_object()
    .field("protocolVersion", version)
    .key("capabilities")
    .begin_object()
    .key("tools")
    .begin_object()
    .field("listChanged", false)
    .end_object()
    .key("resources")
    .begin_object()
    .field("subscribe", true)
    .field("listChanged", false)
    .end_object()
    .key("tasks")
    .begin_object()
    .key("list")
    .begin_object()
    .end_object()
    .key("cancel")
    .begin_object()
    .end_object()
    .key("requests")
    .begin_object()
    .key("tools")
    .begin_object()
    .key("call")
    .begin_object()
    .end_object()
    .end_object()
    .end_object()
    .end_object()
    .end_object()
    .key("serverInfo")
    .begin_object()
    .field("name", "agenttheo")
    .field("title", "AgentTheo")
    .field("version", "0.1.0")
    .end_object()
    .field("instructions",
           "Each MCP session is one AgentTheo session with its own browser "
           "context. browser_* tools act on its page.")
    .end_object();
  return out.str();
}

/// A tool's outcome as MCP content: its words, and its screenshot.
std::string tool_call_result(const api_reply& reply) {
  json_document doc{reply.json};
  json_reader r{doc};
  bool ok = reply.status == 200 && r.boolean("ok").value_or(false);
  auto text = reply.status == 200 ? r.text("output")
                                  : json_reader{doc}.object("error").text("message");
  return mcp_tool_result(text.value_or(""), r.text("image").value_or(""), {}, !ok);
}

/// Its `GET /mcp` stream ends with it.
void forget(self_ptr self, std::map<std::string, mcp_session_entry>::iterator it) {
  if (it->second.listener)
    self->send_exit(it->second.listener, caf::exit_reason::user_shutdown);
  self->state.sessions.erase(it);
}

void schedule_sweep(self_ptr self) {
  auto& st = self->state;
  if (st.sweep_scheduled || st.sessions.empty())
    return;
  st.sweep_scheduled = true;
  self->delayed_send(self, sweep_every, mcp_sweep_atom::value);
}

std::set<std::string> session_ids(const std::string& sessions_json) {
  std::set<std::string> ids;
  json_document doc{sessions_json};
  if (const auto* list = json_reader{doc}.array("sessions"))
    for (const auto& session : list->GetArray())
      if (auto id = json_reader{session}.text("id"))
        ids.emplace(*id);
  return ids;
}

/// An MCP session ends with its AgentTheo session (idled out, deleted by
/// the API or an operator): the client is told 404 and initializes again.
void sweep(self_ptr self) {
  self->state.sweep_scheduled = false;
  if (self->state.sessions.empty())
    return;
  auto asked_at = unix_millis();
  self->request(self->state.manager, session_timeout, list_sessions_atom::value)
    .then(
      [self, asked_at](std::string& json) {
        auto live = session_ids(json);
        auto& sessions = self->state.sessions;
        for (auto it = sessions.begin(); it != sessions.end();) {
          auto next = std::next(it);
          // One made since the question was asked may not be listed yet.
          if (it->second.created_ms < asked_at && live.count(it->second.session_id) == 0)
            forget(self, it);
          it = next;
        }
        schedule_sweep(self);
      },
      [self](caf::error&) { schedule_sweep(self); });
}

void remember(self_ptr self, const std::string& id, mcp_session_entry entry) {
  auto& sessions = self->state.sessions;
  if (sessions.size() >= max_mcp_sessions)
    forget(self, std::min_element(sessions.begin(), sessions.end(),
                                  [](const auto& a, const auto& b) {
                                    return a.second.last_used_ms < b.second.last_used_ms;
                                  }));
  sessions.emplace(id, std::move(entry));
  schedule_sweep(self);
}

caf::result<mcp_answer> initialize(self_ptr self, const jsonrpc_message& msg,
                                   const mcp_post& post) {
  json_document doc{msg.params_json};
  json_reader params{doc};
  auto asked = params.text("protocolVersion");
  if (!asked)
    return failure(400, msg.id_json, jsonrpc_code::invalid_params,
                   "initialize needs params.protocolVersion");
  std::string version{supported(*asked) ? *asked : supported_versions.front()};
  bool elicit = params.object("capabilities").any("elicitation") != nullptr;
  auto client_name = std::string{params.object("clientInfo").text("name").value_or("client")};
  new_session_request made;
  made.client = post.client;
  made.title = "MCP: " + client_name.substr(0, 60);
  auto promise = self->make_response_promise<mcp_answer>();
  self->request(self->state.manager, session_timeout, std::move(made))
    .then(
      [self, promise, version, elicit, client = post.client,
       id_json = msg.id_json](api_reply& reply) mutable {
        json_document created{reply.json};
        auto sid = json_reader{created}.text("id");
        if (reply.status != 201 || !sid) {
          auto why = json_reader{created}.object("error").text("message");
          promise.deliver(failure(reply.status == 201 ? 500 : reply.status, id_json,
                                  jsonrpc_code::internal_error,
                                  why ? *why : "no session could be made"));
          return;
        }
        auto mcp_id = random_id("mcp-");
        mcp_session_entry entry;
        entry.session_id = std::string{*sid};
        entry.client = client;
        entry.protocol_version = version;
        entry.elicit = elicit;
        entry.created_ms = entry.last_used_ms = unix_millis();
        remember(self, mcp_id, std::move(entry));
        auto done = answer(id_json, initialize_result(version));
        done.mcp_session = mcp_id;
        promise.deliver(std::move(done));
      },
      [promise, id_json = msg.id_json](caf::error&) mutable {
        promise.deliver(failure(503, id_json, jsonrpc_code::internal_error,
                                "the session manager did not answer in time"));
      });
  return promise;
}

/// `output_schema`, when given: a JSON Schema object, as `/stream` takes it.
std::optional<std::string> output_schema_of(json_reader& args, std::string& why) {
  const auto* given = args.any("output_schema");
  if (!given)
    return std::string{};
  if (!given->IsObject()) {
    why = "output_schema must be a JSON Schema object";
    return std::nullopt;
  }
  auto parsed = parse_output_schema(to_json(*given));
  if (auto* err = std::get_if<api_error>(&parsed)) {
    why = err->message;
    return std::nullopt;
  }
  return std::get<std::string>(std::move(parsed));
}

/// `{"task": …}` of a task just made.
std::string created_task_json(const mcp_task& task) {
  return "{\"task\":" + mcp_task_json(task, "working", "the run started", task.created_ms)
         + "}";
}

/// A run_agent call made as a task: its run starts with no stream (as
/// `POST /api/sessions/{id}/runs` starts one) and the call answers with
/// the task at once.
caf::result<mcp_answer> start_task(self_ptr self, mcp_session_entry& entry,
                                   const jsonrpc_message& msg, const mcp_run_order& order,
                                   std::int64_t ttl_ms) {
  mcp_task task{order.message_id, unix_millis(), ttl_ms};
  if (entry.tasks.size() >= max_tasks)
    entry.tasks.erase(std::min_element(entry.tasks.begin(), entry.tasks.end(),
                                       [](const auto& a, const auto& b) {
                                         return a.second.created_ms < b.second.created_ms;
                                       }));
  entry.tasks[task.task_id] = task;
  auto req = run_request_of(order);
  req.subscribe = false;
  auto promise = self->make_response_promise<mcp_answer>();
  self->spawn([manager = self->state.manager, req, promise, task,
               id_json = msg.id_json](caf::event_based_actor* starter) mutable {
    starter->send(manager, open_stream{caf::actor{starter}, req, nullptr, nullptr});
    return caf::behavior{
      [=](stream_accepted&) mutable {
        promise.deliver(answer(id_json, created_task_json(task)));
        starter->quit();
      },
      [=](api_error& why) mutable {
        promise.deliver(failure(200, id_json, jsonrpc_code::internal_error, why.message));
        starter->quit();
      },
      caf::after(session_timeout) >>
        [=]() mutable {
          promise.deliver(failure(200, id_json, jsonrpc_code::internal_error,
                                  "the session manager did not answer in time"));
          starter->quit();
        },
    };
  });
  return promise;
}

/// `run_agent {command, max_steps?, output_schema?}`: the run the HTTP
/// side streams, or (with `task`) a task.
caf::result<mcp_answer> run_agent(self_ptr self, mcp_session_entry& entry,
                                  const jsonrpc_message& msg, json_reader& params,
                                  const std::string& client) {
  auto args = params.object("arguments");
  auto command = args.text("command");
  auto max_steps = args.count("max_steps");
  if (!command || command->empty() || command->size() > max_mcp_command
      || args.error())
    return failure(200, msg.id_json, jsonrpc_code::invalid_params,
                   "run_agent needs arguments.command, 1 to "
                     + std::to_string(max_mcp_command)
                     + " bytes, and max_steps an integer from 1 to 1000");
  if (max_steps && (*max_steps < 1 || *max_steps > 1000))
    return failure(200, msg.id_json, jsonrpc_code::invalid_params,
                   "max_steps must be an integer from 1 to 1000");
  std::string why;
  auto schema = output_schema_of(args, why);
  if (!schema)
    return failure(200, msg.id_json, jsonrpc_code::invalid_params, why);
  mcp_answer out;
  out.stream = true;
  out.run.session_id = entry.session_id;
  out.run.message_id = random_id("mcp-run-");
  out.run.command = std::string{*command};
  out.run.max_steps = max_steps.value_or(0);
  out.run.request_id_json = msg.id_json;
  out.run.client = client;
  out.run.output_schema = std::move(*schema);
  out.run.elicit = entry.elicit;
  if (const auto* task = params.any("task"); task && task->IsObject()) {
    json_reader asked{*task};
    auto ttl = asked.count("ttl").value_or(0);
    return start_task(self, entry, msg, out.run, static_cast<std::int64_t>(ttl));
  }
  if (const auto* token = params.object("_meta").any("progressToken");
      token && (token->IsString() || token->IsInt64()))
    out.run.progress_token_json = to_json(*token);
  if (entry.runs.size() >= 16)
    entry.runs.erase(entry.runs.begin());
  entry.runs[msg.id_json] = out.run.message_id;
  entry.last_run = out.run;
  return out;
}

/// `notifications/cancelled {requestId}`: a run_agent call's run stops.
void cancel_request(self_ptr self, mcp_session_entry& entry, const jsonrpc_message& msg) {
  json_document doc{msg.params_json};
  const auto* id = json_reader{doc}.any("requestId");
  if (!id)
    return;
  auto run = entry.runs.find(to_json(*id));
  if (run == entry.runs.end())
    return;
  auto reason = std::string{json_reader{doc}.text("reason").value_or("")};
  // The session's running run: an MCP session runs one at a time (the
  // client also drops the call's stream, which cancels that very run).
  // Anonymous: the manager's answer has nobody here to go to.
  caf::anon_send(self->state.manager,
                 cancel_session{entry.session_id, false,
                                reason.empty() ? "the MCP client cancelled it" : reason});
  entry.runs.erase(run);
}

/// A JSON document as a tool's result: the text, and the object itself.
std::string document_result(const std::string& json, bool failed) {
  return mcp_tool_result(json, {}, failed ? std::string_view{} : json, failed);
}

/// `list_sessions`, `get_run_events`: what `/api/sessions` and
/// `/api/runs/{messageId}/events` answer the same client.
template <class Request>
caf::result<mcp_answer> read_api(self_ptr self, const jsonrpc_message& msg,
                                 Request request) {
  auto promise = self->make_response_promise<mcp_answer>();
  self->request(self->state.manager, session_timeout, std::move(request))
    .then(
      [promise, id_json = msg.id_json](api_reply& reply) mutable {
        promise.deliver(answer(id_json, document_result(reply.json, reply.status != 200)));
      },
      [promise, id_json = msg.id_json](caf::error&) mutable {
        promise.deliver(failure(200, id_json, jsonrpc_code::internal_error,
                                "the session manager did not answer in time"));
      });
  return promise;
}

caf::result<mcp_answer> list_sessions(self_ptr self, const jsonrpc_message& msg) {
  auto promise = self->make_response_promise<mcp_answer>();
  self->request(self->state.manager, session_timeout, list_sessions_atom::value)
    .then(
      [promise, id_json = msg.id_json](std::string& json) mutable {
        promise.deliver(answer(id_json, document_result(json, false)));
      },
      [promise, id_json = msg.id_json](caf::error&) mutable {
        promise.deliver(failure(200, id_json, jsonrpc_code::internal_error,
                                "the session manager did not answer in time"));
      });
  return promise;
}

caf::result<mcp_answer> get_run_events(self_ptr self, const jsonrpc_message& msg,
                                       json_reader& params) {
  auto args = params.object("arguments");
  auto message_id = args.text("messageId");
  auto after = args.count("after");
  if (!message_id || !is_safe_id(*message_id) || args.error())
    return failure(200, msg.id_json, jsonrpc_code::invalid_params,
                   "get_run_events needs arguments.messageId (1 to 128 characters from "
                   "A-Z a-z 0-9 . _ : -) and after a non-negative integer");
  return read_api(self, msg, read_run_events{std::string{*message_id}, after.value_or(0)});
}

caf::result<mcp_answer> call_tool(self_ptr self, mcp_session_entry& entry,
                                  const jsonrpc_message& msg, const std::string& client) {
  json_document doc{msg.params_json};
  json_reader params{doc};
  auto name = params.text("name");
  if (!name)
    return failure(200, msg.id_json, jsonrpc_code::invalid_params,
                   "tools/call needs params.name");
  if (*name == mcp_run_agent)
    return run_agent(self, entry, msg, params, client);
  if (*name == mcp_list_sessions)
    return list_sessions(self, msg);
  if (*name == mcp_get_run_events)
    return get_run_events(self, msg, params);
  auto tool = page_tool_of(*name);
  if (!tool)
    return failure(200, msg.id_json, jsonrpc_code::invalid_params,
                   "unknown tool: " + std::string{*name});
  const auto* args = params.any("arguments");
  if (args && !args->IsObject())
    return failure(200, msg.id_json, jsonrpc_code::invalid_params,
                   "arguments must be an object");
  auto promise = self->make_response_promise<mcp_answer>();
  self
    ->request(self->state.manager, tool_timeout,
              session_tool{entry.session_id, *tool, args ? to_json(*args) : "{}"})
    .then(
      [promise, id_json = msg.id_json](api_reply& reply) mutable {
        promise.deliver(answer(id_json, tool_call_result(reply)));
      },
      [promise, id_json = msg.id_json](caf::error&) mutable {
        promise.deliver(failure(200, id_json, jsonrpc_code::internal_error,
                                "the tool did not finish in time"));
      });
  return promise;
}

/// The MCP specification's code for a resource that does not exist.
constexpr int resource_not_found = -32002;

/// `resources/read`: a run's events, or the session's page now (its own
/// session's only; taken like browser_take_screenshot).
caf::result<mcp_answer> read_resource(self_ptr self, const mcp_session_entry& entry,
                                      const jsonrpc_message& msg) {
  json_document doc{msg.params_json};
  auto uri = std::string{json_reader{doc}.text("uri").value_or("")};
  auto named = parse_mcp_resource_uri(uri);
  if (!named || (named->type == mcp_resource_uri::kind::screenshot
                 && named->id != entry.session_id))
    return failure(200, msg.id_json, resource_not_found, "resource not found: " + uri);
  auto promise = self->make_response_promise<mcp_answer>();
  auto timed_out = [promise, id_json = msg.id_json](caf::error&) mutable {
    promise.deliver(failure(200, id_json, jsonrpc_code::internal_error,
                            "the session did not answer in time"));
  };
  if (named->type == mcp_resource_uri::kind::run) {
    self->request(self->state.manager, session_timeout, read_run_events{named->id, 0})
      .then(
        [promise, uri, id_json = msg.id_json](api_reply& reply) mutable {
          if (reply.status != 200) {
            promise.deliver(
              failure(200, id_json, resource_not_found, "resource not found: " + uri));
            return;
          }
          promise.deliver(answer(
            id_json, mcp_resource_contents_json(uri, "application/json", reply.json, false)));
        },
        timed_out);
    return promise;
  }
  self
    ->request(self->state.manager, tool_timeout,
              session_tool{entry.session_id, "take_screenshot", "{}"})
    .then(
      [promise, uri, id_json = msg.id_json](api_reply& reply) mutable {
        json_document shot{reply.json};
        auto image = json_reader{shot}.text("image");
        if (reply.status != 200 || !image || image->empty()) {
          auto why = json_reader{shot}.object("error").text("message");
          promise.deliver(failure(200, id_json, jsonrpc_code::internal_error,
                                  why ? *why : "no screenshot could be taken"));
          return;
        }
        promise.deliver(answer(id_json, mcp_resource_contents_json(uri, "image/jpeg",
                                                                   *image, true)));
      },
      timed_out);
  return promise;
}

std::vector<std::string> run_ids(const mcp_session_entry& entry) {
  std::vector<std::string> ids;
  auto add = [&ids](const std::string& id) {
    if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end())
      ids.push_back(id);
  };
  for (const auto& [request, message_id] : entry.runs)
    add(message_id);
  add(entry.last_run.message_id);
  for (const auto& [id, task] : entry.tasks)
    add(id);
  return ids;
}

bool is_own_run(const mcp_session_entry& entry, const std::string& message_id) {
  auto ids = run_ids(entry);
  return std::find(ids.begin(), ids.end(), message_id) != ids.end();
}

/// `tasks/get`, `tasks/cancel`, `tasks/list`: read from the session's
/// runs in one describe.
caf::result<mcp_answer> task_status(self_ptr self, const mcp_session_entry& entry,
                                    const jsonrpc_message& msg, std::optional<mcp_task> task) {
  auto promise = self->make_response_promise<mcp_answer>();
  self->request(self->state.manager, session_timeout, describe_session{entry.session_id})
    .then(
      [self, promise, msg, task, session_id = entry.session_id,
       tasks = task ? std::map<std::string, mcp_task>{} : entry.tasks](api_reply& reply) mutable {
        if (!task) {
          promise.deliver(answer(msg.id_json, mcp_task_list_json(reply.json, tasks)));
          return;
        }
        auto view = mcp_task_view_of(reply.json, *task);
        if (msg.method == "tasks/cancel") {
          if (is_terminal_task_status(view.status)) {
            promise.deliver(failure(200, msg.id_json, jsonrpc_code::invalid_params,
                                    "task " + task->task_id + " is already "
                                      + std::string{view.status}));
            return;
          }
          // An MCP session runs one run at a time: this one.
          caf::anon_send(self->state.manager,
                         cancel_session{session_id, false, "the MCP client cancelled the task"});
          view = {"cancelled", "cancelled by the MCP client", unix_millis()};
        }
        promise.deliver(answer(
          msg.id_json, mcp_task_json(*task, view.status, view.message, view.updated_ms)));
      },
      [promise, id_json = msg.id_json](caf::error&) mutable {
        promise.deliver(failure(200, id_json, jsonrpc_code::internal_error,
                                "the session did not answer in time"));
      });
  return promise;
}

/// `tasks/result`: the task's run streamed from its start (nothing but
/// the result once it ended; its questions while it waits), answered like
/// the run_agent call it stands for.
mcp_answer task_result(const mcp_session_entry& entry, const jsonrpc_message& msg,
                       const mcp_task& task, const std::string& client) {
  mcp_answer out;
  out.stream = true;
  out.run.session_id = entry.session_id;
  out.run.message_id = task.task_id;
  out.run.request_id_json = msg.id_json;
  out.run.client = client;
  out.run.resume = true;
  out.run.resume_after = 0;
  out.run.elicit = entry.elicit;
  out.run.task_id = task.task_id;
  return out;
}

caf::result<mcp_answer> on_task_request(self_ptr self, mcp_session_entry& entry,
                                        const jsonrpc_message& msg,
                                        const std::string& client) {
  if (msg.method == "tasks/list")
    return task_status(self, entry, msg, std::nullopt);
  json_document doc{msg.params_json};
  auto id = std::string{json_reader{doc}.text("taskId").value_or("")};
  auto it = entry.tasks.find(id);
  if (it == entry.tasks.end())
    return failure(200, msg.id_json, jsonrpc_code::invalid_params,
                   "no such task in this MCP session: " + id);
  if (msg.method == "tasks/result")
    return task_result(entry, msg, it->second, client);
  return task_status(self, entry, msg, it->second);
}

/// `notifications/resources/updated` go to the session's `GET /mcp`
/// stream: it learns what to watch.
void tell_listener(self_ptr self, const mcp_session_entry& entry) {
  if (entry.listener)
    self->send(entry.listener, mcp_subscriptions{{entry.subscriptions.begin(),
                                                  entry.subscriptions.end()}});
}

/// `resources/subscribe`, `resources/unsubscribe`: this MCP session's page
/// and the runs it started.
mcp_answer subscribe(self_ptr self, mcp_session_entry& entry, const jsonrpc_message& msg) {
  json_document doc{msg.params_json};
  auto uri = std::string{json_reader{doc}.text("uri").value_or("")};
  auto named = parse_mcp_resource_uri(uri);
  bool ours = named
              && (named->type == mcp_resource_uri::kind::screenshot
                    ? named->id == entry.session_id
                    : is_own_run(entry, named->id));
  if (!ours)
    return failure(200, msg.id_json, resource_not_found,
                   "subscriptions are to this MCP session's page and runs: " + uri);
  if (msg.method == "resources/unsubscribe") {
    entry.subscriptions.erase(uri);
  } else {
    if (entry.subscriptions.size() >= max_subscriptions && !entry.subscriptions.count(uri))
      return failure(200, msg.id_json, jsonrpc_code::invalid_params,
                     "at most " + std::to_string(max_subscriptions)
                       + " subscriptions per MCP session");
    entry.subscriptions.insert(uri);
  }
  tell_listener(self, entry);
  return answer(msg.id_json, "{}");
}

/// A client's answer to one of our requests: an elicitation decides its
/// interrupt as the interrupts API would.
void on_response(self_ptr self, const mcp_session_entry& entry, const jsonrpc_message& msg,
                 const std::string& client) {
  auto decided = mcp_elicitation_decision(msg.id_json, msg.params_json);
  if (!decided)
    return;
  // Anonymous: a second answer to a decided interrupt has nowhere to go.
  caf::anon_send(self->state.manager,
                 steer_session{entry.session_id, steer_action::resolve,
                               decided->interrupt_id, decided->body_json, client, "mcp"});
}

caf::result<mcp_answer> on_request(self_ptr self, mcp_session_entry& entry,
                                   const jsonrpc_message& msg, const std::string& client) {
  if (msg.method == "ping")
    return answer(msg.id_json, "{}");
  if (msg.method == "tools/list")
    return answer(msg.id_json, mcp_tools_list_json());
  if (msg.method == "tools/call")
    return call_tool(self, entry, msg, client);
  if (msg.method == "resources/list")
    return answer(msg.id_json, mcp_resources_list_json(entry.session_id, run_ids(entry)));
  if (msg.method == "resources/templates/list")
    return answer(msg.id_json, mcp_resource_templates_json());
  if (msg.method == "resources/read")
    return read_resource(self, entry, msg);
  if (msg.method == "resources/subscribe" || msg.method == "resources/unsubscribe")
    return subscribe(self, entry, msg);
  if (msg.method == "tasks/get" || msg.method == "tasks/result" || msg.method == "tasks/list"
      || msg.method == "tasks/cancel")
    return on_task_request(self, entry, msg, client);
  if (msg.method == "initialize")
    return failure(400, msg.id_json, jsonrpc_code::invalid_request,
                   "this MCP session is initialized already");
  return failure(200, msg.id_json, jsonrpc_code::method_not_found,
                 "method not found: " + msg.method);
}

/// The session a message names, or the HTTP answer when it names none the
/// client may use (the spec's 400 without one, 404 for an unknown one).
mcp_session_entry* session_of(self_ptr self, const mcp_post& post, mcp_answer& refusal) {
  if (post.mcp_session.empty()) {
    refusal = failure(400, "null", jsonrpc_code::invalid_request,
                      "Mcp-Session-Id is required after initialize");
    return nullptr;
  }
  auto it = self->state.sessions.find(post.mcp_session);
  // Another client's session is as unknown as one never made.
  if (it == self->state.sessions.end() || it->second.client != post.client) {
    refusal = failure(404, "null", jsonrpc_code::invalid_request,
                      "no such MCP session: initialize again");
    return nullptr;
  }
  it->second.last_used_ms = unix_millis();
  return &it->second;
}

caf::result<mcp_answer> on_post(self_ptr self, mcp_post& post) {
  auto parsed = parse_jsonrpc(post.body);
  if (auto* bad = std::get_if<jsonrpc_failure>(&parsed))
    return failure(400, bad->id_json, bad->code, bad->message);
  auto& msg = std::get<jsonrpc_message>(parsed);
  if (msg.type == jsonrpc_message::kind::request && msg.method == "initialize"
      && post.mcp_session.empty())
    return initialize(self, msg, post);
  mcp_answer refusal;
  auto* entry = session_of(self, post, refusal);
  if (!entry)
    return refusal;
  if (!post.protocol_version.empty() && !supported(post.protocol_version))
    return failure(400, "null", jsonrpc_code::invalid_request,
                   "unsupported MCP-Protocol-Version: " + post.protocol_version);
  if (msg.type != jsonrpc_message::kind::request) {
    if (msg.method == "notifications/initialized")
      entry->initialized = true;
    else if (msg.method == "notifications/cancelled")
      cancel_request(self, *entry, msg);
    else if (msg.type == jsonrpc_message::kind::response)
      on_response(self, *entry, msg, post.client);
    return mcp_answer{202, {}, {}, false, {}};
  }
  return on_request(self, *entry, msg, post.client);
}

caf::result<mcp_answer> on_resume(self_ptr self, const mcp_resume& req) {
  auto it = self->state.sessions.find(req.mcp_session);
  if (req.mcp_session.empty())
    return failure(400, "null", jsonrpc_code::invalid_request,
                   "Mcp-Session-Id is required after initialize");
  if (it == self->state.sessions.end() || it->second.client != req.client)
    return failure(404, "null", jsonrpc_code::invalid_request, "no such MCP session");
  auto& entry = it->second;
  entry.last_used_ms = unix_millis();
  if (req.listen) {
    mcp_answer out;
    out.listen = true;
    out.mcp_session = req.mcp_session;
    out.run.session_id = entry.session_id;
    out.run.client = req.client;
    return out;
  }
  if (entry.last_run.message_id.empty())
    return failure(404, "null", jsonrpc_code::invalid_request,
                   "this MCP session has no stream to resume");
  mcp_answer out;
  out.stream = true;
  out.run = entry.last_run;
  out.run.client = req.client;
  out.run.resume = true;
  out.run.resume_after = req.last_event_id;
  return out;
}

caf::result<mcp_answer> on_delete(self_ptr self, const mcp_delete& req) {
  const auto& client = req.client;
  auto it = self->state.sessions.find(req.mcp_session);
  if (req.mcp_session.empty() || it == self->state.sessions.end()
      || it->second.client != client)
    return failure(404, "null", jsonrpc_code::invalid_request, "no such MCP session");
  auto session_id = it->second.session_id;
  forget(self, it);
  auto promise = self->make_response_promise<mcp_answer>();
  self
    ->request(self->state.manager, session_timeout,
              cancel_session{session_id, true, "the MCP session ended"})
    .then([promise](api_reply&) mutable { promise.deliver(mcp_answer{200, {}, {}, false, {}}); },
          [promise](caf::error&) mutable { promise.deliver(mcp_answer{200, {}, {}, false, {}}); });
  return promise;
}

/// A `GET /mcp` stream opened: the MCP session's one (a newer replaces an
/// older), told what to watch.
void on_listener(self_ptr self, mcp_listener& opened) {
  auto it = self->state.sessions.find(opened.mcp_session);
  if (it == self->state.sessions.end() || it->second.client != opened.client) {
    self->send_exit(opened.stream, caf::exit_reason::user_shutdown);
    return;
  }
  auto& entry = it->second;
  if (entry.listener)
    self->send_exit(entry.listener, caf::exit_reason::user_shutdown);
  entry.listener = opened.stream;
  self->monitor(opened.stream);
  tell_listener(self, entry);
}

} // namespace

caf::behavior mcp_server(caf::stateful_actor<mcp_server_state>* self, caf::actor manager) {
  self->state.manager = std::move(manager);
  // It serves the manager's sessions: it ends when the manager does (a
  // monitor, not a link: its own end must never take the manager along).
  self->monitor(self->state.manager);
  self->set_down_handler([self](caf::down_msg& down) {
    if (down.source == self->state.manager.address())
      return self->quit();
    for (auto& [id, entry] : self->state.sessions)
      if (entry.listener && entry.listener.address() == down.source)
        entry.listener = nullptr;
  });
  return {
    [self](mcp_post& post) { return on_post(self, post); },
    [self](mcp_delete& req) { return on_delete(self, req); },
    [self](mcp_resume& req) { return on_resume(self, req); },
    [self](mcp_listener& opened) { on_listener(self, opened); },
    [self](mcp_sweep_atom) { sweep(self); },
  };
}

} // namespace agenttheo
