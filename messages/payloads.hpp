#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messages/chat_types.hpp"

namespace agenttheo {

class json_writer;

/// The `data` object of each event type, as JSON text. Field names follow the
/// guide (`token`, `metadata.count`, `step`, `total`, `tool_name`, ...) and,
/// where it is silent, the original AgentTheo (`complete.summary`).
namespace payload {

std::string token(std::string_view text, std::uint64_t count);

/// `"tool_calls": [{id, name, arguments}]`, as every event and API document
/// spells them; nothing when there are none.
void write_tool_calls(json_writer& out, const std::vector<tool_call>& calls);

/// `tool_calls`, when the model asked for any: [{id, name, arguments}].
std::string message(std::string_view role, std::string_view content,
                    std::uint64_t step,
                    const std::vector<tool_call>& tool_calls = {});

/// `progress`: step `step` of `total`. `total_known` false: nobody knows
/// how many steps the run will take (a model decides as it goes), and
/// `total` is only the limit, `max_steps`.
std::string progress(std::uint64_t step, std::uint64_t total,
                     std::string_view message, bool total_known,
                     std::uint64_t max_steps);

std::string tool_start(std::string_view tool_name,
                       std::string_view tool_input_json,
                       std::string_view call_id);

/// `tool_end`; `error_code` (the browser's code for a failure, for
/// programs) only when there is one; `tab`, the tab it ran in, when a
/// browser tool ran.
std::string tool_end(std::string_view tool_name, std::string_view call_id,
                     std::string_view output, bool ok,
                     std::uint64_t duration_ms,
                     std::string_view error_code = {}, std::uint32_t tab = 0);

/// `state_json` is a JSON object describing what changed in the step.
std::string update(std::uint64_t step, std::string_view node,
                   std::string_view state_json);

/// Tools emit free-form JSON objects; `body_json` is passed through.
std::string custom(std::string_view body_json);

/// `tab`: the session's tab it shows (0: not said).
std::string screenshot(std::string_view mime, std::string_view base64_data,
                       std::string_view url, std::uint32_t tab = 0);

/// A file in the session's artifacts: `url` fetches it
/// (`/api/sessions/{id}/artifacts/{name}`); `source`: download or upload.
std::string artifact(std::string_view session, std::string_view name,
                     std::string_view mime, std::uint64_t bytes,
                     std::string_view source);

struct llm_identity {
  std::string provider;
  std::string model;
};

std::string start(std::string_view session, std::string_view message_id,
                  std::string_view command, std::string_view stream_mode,
                  const llm_identity& llm);

/// What a run (or a session's runs together) used.
struct usage {
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  std::uint64_t model_calls = 0;
  std::uint64_t tool_calls = 0;
  /// US dollars, when the model has a price (LLM_PRICES): `priced`.
  double cost_usd = 0;
  bool priced = false;

  std::uint64_t total_tokens() const {
    return prompt_tokens + completion_tokens;
  }

  usage& operator+=(const usage& more) {
    prompt_tokens += more.prompt_tokens;
    completion_tokens += more.completion_tokens;
    model_calls += more.model_calls;
    tool_calls += more.tool_calls;
    cost_usd += more.cost_usd;
    priced = priced || more.priced;
    return *this;
  }
};

/// `{"prompt_tokens", "completion_tokens", "total_tokens", "model_calls",
/// "tool_calls", "cost_usd"?}` (cost only when priced).
void write_usage(json_writer& out, const usage& u);

struct completion {
  std::string result;
  std::uint64_t steps = 0;
  usage tokens;
  std::uint64_t tokens_streamed = 0;
  std::uint64_t duration_ms = 0;
  bool cancelled = false;
  std::string message_id;
  /// complete (the model answered), max_steps, or cancelled.
  std::string stop_reason = "complete";
  /// How it went: success, failed (its last step failed, so the answer
  /// says it could not finish), max_steps or cancelled.
  std::string outcome = "success";
  /// The answer as the run's `output_schema` shaped it (JSON); empty: none.
  std::string output_json = {};
  /// Why it failed, for programs (`output_invalid`); empty: not said.
  std::string code = {};
  /// A rerun's account (`{"of", "replayed_steps", "model_calls",
  /// "diverged_at"}`, JSON); empty: the run is no rerun.
  std::string rerun_json = {};
};

std::string complete(const completion& c);

/// `status`: the lifecycle `state` and a `message`; a run's status also
/// names the run (`messageId`), so a whole-session stream can tell which of
/// its runs (one running, others queued) the event is about.
std::string status(std::string_view state, std::string_view message,
                   std::string_view message_id = {});

/// `status` `waiting`: the run waits for a browser context, with `ahead`
/// runs before it and `running` contexts all in use by running sessions.
std::string waiting(std::string_view message_id, std::uint64_t ahead,
                    std::uint64_t running);

/// `error`: a `code` and a readable `message`.
std::string error(std::string_view code, std::string_view message);

/// A run's `error`: also its `messageId`, and whether it ended the run
/// (`final`) or the run goes on (say, the browser was replaced).
std::string run_error(std::string_view code, std::string_view message,
                      std::string_view message_id, bool final);

/// Events `from`..`to` (inclusive) of this run were trimmed from the log
/// before this subscriber could read them.
std::string gap(std::uint64_t from, std::uint64_t to);

} // namespace payload

} // namespace agenttheo
