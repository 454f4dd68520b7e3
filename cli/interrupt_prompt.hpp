#pragma once

// What the terminal viewer does with an `interrupt`: asks the person at
// the terminal ("[a]pprove / [r]eject / [e]dit", a question's answer), or
// decides by itself with --approve-all, and gives the body to POST to
// /api/sessions/{id}/interrupts/{interrupt_id}.

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace agenttheo::cli {

struct prompt_io {
  /// Where the question is asked, and the person's lines read.
  std::FILE* out = stderr;
  std::FILE* in = stdin;
};

/// --approve-all's decision: approve an approval; decline a question (no
/// one is there to answer it) and a takeover (no one can take the browser).
std::string automatic_decision(std::string_view interrupt_json);

/// Asks at the terminal; the decision's JSON body, or nullopt when the
/// person's input ended (EOF) before a decision.
std::optional<std::string> ask_person(std::string_view interrupt_json, prompt_io io);

} // namespace agenttheo::cli
