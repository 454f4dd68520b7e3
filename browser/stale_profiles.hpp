#pragma once

#include <cstddef>
#include <string>

#include <sys/types.h>

namespace agenttheo {

/// Chromium profiles are named for the server that made them,
/// `<dir>/agenttheo-chromium-<pid>-XXXXXX`, so one whose server is gone can
/// be told from one in use. A server that exits normally removes its own
/// (release_chromium); a killed one (SIGKILL, the OOM killer) cannot, and
/// this is what collects them.
std::string profile_template(const std::string& dir, pid_t owner);

/// Removes every profile in `dir` whose server is no longer running and
/// that belongs to this user; returns how many. A profile whose pid is
/// alive is kept even if the pid was reused: a leftover is cheaper than a
/// live browser losing its profile.
std::size_t remove_stale_profiles(const std::string& dir);

} // namespace agenttheo
