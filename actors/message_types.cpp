#include "actors/message_types.hpp"

#include <caf/actor_system_config.hpp>

#include "messages/browser_messages.hpp"
#include "messages/cluster_messages.hpp"
#include "messages/mcp_messages.hpp"
#include "messages/messages.hpp"
#include "messages/registry_messages.hpp"

namespace agenttheo {

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<stream_request>("agenttheo.stream_request")
    .add_message_type<open_stream>("agenttheo.open_stream")
    .add_message_type<stream_accepted>("agenttheo.stream_accepted")
    .add_message_type<api_error>("agenttheo.api_error")
    .add_message_type<event_frame>("agenttheo.event_frame")
    .add_message_type<event_batch>("agenttheo.event_batch")
    .add_message_type<stream_closed>("agenttheo.stream_closed")
    .add_message_type<ws_text>("agenttheo.ws_text")
    .add_message_type<screencast_frame>("agenttheo.screencast_frame")
    .add_message_type<artifact_saved>("agenttheo.artifact_saved")
    .add_message_type<video_frame>("agenttheo.video_frame")
    .add_message_type<cancel_run>("agenttheo.cancel_run")
    .add_message_type<actor_joined>("agenttheo.actor_joined")
    .add_message_type<recent_error>("agenttheo.recent_error")
    .add_message_type<disconnect_actor>("agenttheo.disconnect_actor")
    .add_message_type<api_reply>("agenttheo.api_reply")
    .add_message_type<describe_session>("agenttheo.describe_session")
    .add_message_type<new_session_request>("agenttheo.new_session_request")
    .add_message_type<client_streams_view>("agenttheo.client_streams_view")
    .add_message_type<cancel_session>("agenttheo.cancel_session")
    .add_message_type<update_session>("agenttheo.update_session")
    .add_message_type<steer_session>("agenttheo.steer_session")
    .add_message_type<session_tool>("agenttheo.session_tool")
    .add_message_type<mcp_post>("agenttheo.mcp_post")
    .add_message_type<mcp_delete>("agenttheo.mcp_delete")
    .add_message_type<mcp_answer>("agenttheo.mcp_answer")
    .add_message_type<mcp_resume>("agenttheo.mcp_resume")
    .add_message_type<mcp_listener>("agenttheo.mcp_listener")
    .add_message_type<mcp_subscriptions>("agenttheo.mcp_subscriptions")
    .add_message_type<actor_titled>("agenttheo.actor_titled")
    .add_message_type<read_run_events>("agenttheo.read_run_events")
    .add_message_type<read_run_view>("agenttheo.read_run_view")
    .add_message_type<llm_delta>("agenttheo.llm_delta")
    .add_message_type<tool_call>("agenttheo.tool_call")
    .add_message_type<llm_done>("agenttheo.llm_done")
    .add_message_type<llm_retrying>("agenttheo.llm_retrying")
    .add_message_type<llm_stream_end>("agenttheo.llm_stream_end")
    .add_message_type<http_done>("agenttheo.http_done")
    .add_message_type<llm_failed>("agenttheo.llm_failed")
    .add_message_type<tool_started>("agenttheo.tool_started")
    .add_message_type<tool_finished>("agenttheo.tool_finished")
    .add_message_type<tool_note>("agenttheo.tool_note")
    .add_message_type<session_info>("agenttheo.session_info")
    .add_message_type<run_forgotten>("agenttheo.run_forgotten")
    .add_message_type<run_location>("agenttheo.run_location")
    .add_message_type<relay_member>("agenttheo.relay_member")
    .add_message_type<node_status>("agenttheo.node_status")
    .add_message_type<cdp_call>("agenttheo.cdp_call")
    .add_message_type<cdp_incoming>("agenttheo.cdp_incoming")
    .add_message_type<cdp_event>("agenttheo.cdp_event")
    .add_message_type<cdp_result>("agenttheo.cdp_result")
    .add_message_type<page_handle>("agenttheo.page_handle")
    .add_message_type<tool_request>("agenttheo.tool_request")
    .add_message_type<tool_result>("agenttheo.tool_result");
}

} // namespace agenttheo
