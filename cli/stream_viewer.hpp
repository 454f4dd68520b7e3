#pragma once

#include <string>
#include <vector>

namespace agenttheo::cli {

/// `agenttheo run [flags] "command"` and `agenttheo watch [flags] SESSION`:
/// a run's (or a session's) events, live, in a terminal. Resumes with the
/// last event id when the connection drops; Ctrl-C cancels the run on the
/// server, then exits. Exit status: 0 done (or the session ended), 1 the run
/// failed, 2 bad usage or the server refused, 3 the run was cancelled,
/// 4 the connection could not be resumed, 5 a decision was needed and no
/// terminal could ask for it, 130 interrupted.
int viewer_main(const std::string& command, const std::vector<std::string>& args);

} // namespace agenttheo::cli
