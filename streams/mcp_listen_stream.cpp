#include "streams/mcp_listen_stream.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/mcp_resources.hpp"
#include "actors/watch_session_end.hpp"
#include "messages/mcp_messages.hpp"
#include "messages/messages.hpp"
#include "protocol/jsonrpc.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

using self_ptr = caf::stateful_actor<mcp_listen_stream_state>*;
using mcp_flush_atom = caf::atom_constant<caf::atom("mcp_flush")>;

/// A run's log changes with every token: one update per this long is
/// enough for a client that re-reads it.
constexpr auto run_update_every = std::chrono::milliseconds{250};

void flush(self_ptr self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  for (const auto& uri : st.pending) {
    json_writer params;
    params.begin_object().field("uri", uri).end_object();
    auto frame = "event: message\ndata: "
                 + jsonrpc_notification("notifications/resources/updated", params.str())
                 + "\n\n";
    st.writer->send(std::make_shared<const std::string>(std::move(frame)));
  }
  st.pending.clear();
}

void updated(self_ptr self, const std::string& uri, bool at_once) {
  auto& st = self->state;
  if (st.subscribed.count(uri) == 0)
    return;
  st.pending.insert(uri);
  if (at_once)
    return flush(self);
  if (!st.flush_scheduled) {
    st.flush_scheduled = true;
    self->delayed_send(self, run_update_every, mcp_flush_atom::value);
  }
}

void finish(self_ptr self) {
  self->state.writer->finish();
  self->quit();
}

void on_event(self_ptr self, const event& ev) {
  // The session's own end (not a run's) ends its stream.
  if (ev.terminal && ev.message_id.empty())
    return finish(self);
  // Most events are tokens, and most clients subscribe to nothing: no URI
  // is built for them.
  if (self->state.subscribed.empty())
    return;
  if (ev.type == event_type::screenshot)
    updated(self, mcp_screenshot_uri(self->state.order.session_id), true);
  if (!ev.message_id.empty())
    updated(self, mcp_run_uri(ev.message_id), ev.terminal);
}

stream_request request_of(const mcp_listen_order& order) {
  stream_request req;
  req.session_id = order.session_id;
  req.whole_session = true;
  req.cancel_on_disconnect = false;
  req.client = order.client;
  return req;
}

} // namespace

caf::behavior mcp_listen_stream(caf::stateful_actor<mcp_listen_stream_state>* self,
                                std::shared_ptr<sse_writer> writer, mcp_listen_order order,
                                std::string cors_origin, caf::actor manager,
                                caf::actor mcp) {
  auto& st = self->state;
  st.writer = writer;
  st.order = std::move(order);
  // Released on every exit path, a replacement's too.
  self->attach_functor([writer] { writer->finish(); });
  writer->start(
    [handle = caf::actor{self}](close_reason reason) {
      caf::anon_send(handle, stream_closed{reason});
    },
    [] {});
  writer->accept(std::move(cors_origin));
  self->set_down_handler([self](caf::down_msg&) { finish(self); });
  self->send(manager, open_stream{caf::actor{self}, request_of(st.order), nullptr, nullptr});
  self->send(mcp, mcp_listener{st.order.mcp_session, st.order.client, caf::actor{self}});
  return {
    [self](stream_accepted& accepted) { watch_session_end(self, accepted); },
    [self](api_error&) { finish(self); },
    [self](mcp_subscriptions& subs) {
      self->state.subscribed = {subs.uris.begin(), subs.uris.end()};
    },
    [self](const event_frame& frame) { on_event(self, frame.ev->raw); },
    [self](const event_batch& batch) {
      for (const auto& frame : batch.events)
        on_event(self, frame.ev->raw);
    },
    [self](mcp_flush_atom) { flush(self); },
    [self](stream_closed&) { self->quit(); },
  };
}

} // namespace agenttheo
