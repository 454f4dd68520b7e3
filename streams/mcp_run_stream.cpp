#include "streams/mcp_run_stream.hpp"

#include <caf/all.hpp>

#include "actors/mcp_elicitation.hpp"
#include "actors/mcp_tools.hpp"
#include "actors/watch_session_end.hpp"
#include "messages/messages.hpp"
#include "protocol/jsonrpc.hpp"
#include "protocol/simple_response.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<mcp_run_stream_state>*;
using mcp_elicit_atom = caf::atom_constant<caf::atom("mcp_elicit")>;

/// Progress lines are for a person watching: one line, not a page.
constexpr std::size_t max_line = 300;

/// `id` 0: a message without an id (one a resumed stream need not skip).
void write_message(self_ptr self, std::uint64_t id, const std::string& json) {
  auto frame = "event: message\n" + (id > 0 ? "id: " + std::to_string(id) + "\n" : "")
               + "data: " + json + "\n\n";
  self->state.writer->send(std::make_shared<const std::string>(std::move(frame)));
}

std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  if (text.size() > max_line)
    text = text.substr(0, max_line) + "…";
  return text;
}

/// What a progress notification says about `ev`, or nothing.
std::string progress_line(const event& ev) {
  json_document doc{ev.data};
  json_reader data{doc};
  switch (ev.type) {
    case event_type::progress:
      return std::string{data.text("message").value_or("")} + " (step "
             + std::to_string(data.count("step").value_or(0)) + ")";
    case event_type::message: {
      std::string line{data.text("content").value_or("")};
      if (const auto* calls = data.array("tool_calls"))
        for (const auto& call : calls->GetArray()) {
          json_reader c{call};
          line += " → " + std::string{c.text("name").value_or("")} + " "
                  + std::string{c.text("arguments").value_or("")};
        }
      return line;
    }
    case event_type::tool_end:
      return std::string{data.boolean("ok").value_or(false) ? "✓ " : "✗ "}
             + std::string{data.text("tool_name").value_or("")} + ": "
             + std::string{data.text("output").value_or("")};
    default:
      return {};
  }
}

void notify_progress(self_ptr self, const event& ev) {
  auto& st = self->state;
  if (st.order.progress_token_json.empty())
    return;
  auto line = progress_line(ev);
  if (line.empty())
    return;
  // The event's id: it grows through the run, across a resumed stream too.
  json_writer params;
  params.begin_object()
    .key("progressToken")
    .raw(st.order.progress_token_json)
    .field("progress", ev.id)
    .field("message", one_line(std::move(line)))
    .end_object();
  write_message(self, ev.id, jsonrpc_notification("notifications/progress", params.str()));
}

/// A task's answer says which task it is (the specification's
/// related-task metadata).
std::string for_task(std::string result_json, const std::string& task_id) {
  if (task_id.empty() || result_json.size() < 2 || result_json.back() != '}')
    return result_json;
  json_writer meta;
  meta.begin_object()
    .key("io.modelcontextprotocol/related-task")
    .begin_object()
    .field("taskId", task_id)
    .end_object()
    .end_object();
  result_json.pop_back();
  return result_json + ",\"_meta\":" + meta.str() + "}";
}

/// The call's result: the answer (or why it failed) and the last frame.
std::string call_result(const mcp_run_stream_state& st, const event& ev) {
  json_document doc{ev.data};
  json_reader data{doc};
  bool complete = ev.type == event_type::complete;
  // `complete` also ends a run that stopped short (max_steps, failed).
  bool ok = complete && data.text("outcome") == "success";
  auto text = complete ? data.text("result") : data.text("message");
  return for_task(mcp_tool_result(text.value_or(""), st.last_image,
                                  complete ? std::string_view{ev.data} : std::string_view{},
                                  !ok),
                  st.order.task_id);
}

/// An interrupt is asked about once the events already on their way are
/// read: a replayed one that was decided since is then known as decided.
void note_interrupt(self_ptr self, const event& ev) {
  auto& st = self->state;
  if (!st.order.elicit)
    return;
  json_document doc{ev.data};
  auto id = std::string{json_reader{doc}.text("interrupt_id").value_or("")};
  if (id.empty())
    return;
  if (ev.type == event_type::interrupt_resolved) {
    st.undecided.erase(id);
    return;
  }
  st.undecided[id] = ev.data;
  self->send(self, mcp_elicit_atom::value, id);
}

void elicit(self_ptr self, const std::string& interrupt_id) {
  auto& st = self->state;
  auto it = st.undecided.find(interrupt_id);
  if (st.finished || it == st.undecided.end() || !st.asked.insert(interrupt_id).second)
    return;
  if (auto request = mcp_elicitation_request(it->second, st.order.task_id))
    write_message(self, 0, *request);
}

/// A call that ends without the run's own end: an error result the model
/// can read (not a JSON-RPC error: the call itself was fine).
std::string error_result(std::string_view text) {
  return mcp_tool_result(text, {}, {}, true);
}

void finish(self_ptr self) {
  self->state.finished = true;
  self->state.writer->finish();
  self->quit();
}

void on_event(self_ptr self, const event_ptr& ev) {
  auto& st = self->state;
  const auto& raw = ev->raw;
  if (st.finished || raw.message_id != st.order.message_id)
    return;
  if (!st.primed) {
    // An id before anything else, so a client whose stream breaks early
    // can resume it (the specification's priming event: no data).
    st.primed = true;
    auto prime = "id: " + std::to_string(raw.id) + "\ndata: \n\n";
    st.writer->send(std::make_shared<const std::string>(std::move(prime)));
  }
  if (raw.type == event_type::screenshot) {
    json_document doc{raw.data};
    if (auto image = json_reader{doc}.text("image"))
      st.last_image = std::string{*image};
  }
  if (raw.type == event_type::interrupt || raw.type == event_type::interrupt_resolved)
    note_interrupt(self, raw);
  notify_progress(self, raw);
  if (!raw.terminal)
    return;
  write_message(self, raw.id, jsonrpc_result(st.order.request_id_json, call_result(st, raw)));
  finish(self);
}

/// The run could not start (a queue, a limit): the call fails, as a tool
/// error the model can read.
void on_rejected(self_ptr self, const api_error& why) {
  auto& st = self->state;
  st.writer->accept(st.cors_origin);
  write_message(self, 0, jsonrpc_result(st.order.request_id_json,
                                        for_task(error_result(why.message), st.order.task_id)));
  finish(self);
}

stream_request request_of(const mcp_run_order& order) {
  auto req = run_request_of(order);
  if (order.resume) {
    // The run's events after what the client had, and no new run.
    req.command.clear();
    req.has_last_event_id = true;
    req.last_event_id = order.resume_after;
  }
  return req;
}

} // namespace

caf::behavior mcp_run_stream(caf::stateful_actor<mcp_run_stream_state>* self,
                             std::shared_ptr<sse_writer> writer, mcp_run_order order,
                             std::string cors_origin, caf::actor manager) {
  auto& st = self->state;
  st.writer = writer;
  st.order = std::move(order);
  st.cors_origin = std::move(cors_origin);
  // Released on every exit path.
  self->attach_functor([writer] { writer->finish(); });
  writer->start(
    [handle = caf::actor{self}](close_reason reason) {
      caf::anon_send(handle, stream_closed{reason});
    },
    [] {});
  self->set_down_handler([self](caf::down_msg&) {
    write_message(self, 0,
                  jsonrpc_result(self->state.order.request_id_json,
                                 error_result("the session ended before the run did")));
    finish(self);
  });
  self->send(manager, open_stream{caf::actor{self}, request_of(st.order), nullptr, nullptr});
  return {
    [self](stream_accepted& accepted) {
      auto& st = self->state;
      st.session = accepted.session;
      watch_session_end(self, accepted);
      st.writer->accept(st.cors_origin);
    },
    [self](api_error& rejected) { on_rejected(self, rejected); },
    [self](const event_frame& frame) { on_event(self, frame.ev); },
    [self](const event_batch& batch) {
      for (const auto& frame : batch.events)
        on_event(self, frame.ev);
    },
    // A dropped stream is not a cancellation (the specification): the run
    // goes on, and the client may resume it; notifications/cancelled stops it.
    [self](mcp_elicit_atom, const std::string& interrupt_id) { elicit(self, interrupt_id); },
    [self](stream_closed&) { self->quit(); },
  };
}

} // namespace agenttheo
