#pragma once

#include <string>
#include <variant>
#include <vector>

#include <sys/types.h>

namespace agenttheo {

/// How to start the browser.
struct chromium_settings {
  /// The binary (CHROMIUM_PATH).
  std::string path;
  /// What this machine needs headless Chromium to run with (see
  /// DEVELOPERS.md): no sandbox as root, no GPU, no calls home.
  std::vector<std::string> flags = {
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-dev-shm-usage", "--mute-audio",
    "--hide-scrollbars",
    // A page restored from the back/forward cache fires no `load`, so
    // go_back would wait out the load timeout: always load it again.
    "--disable-back-forward-cache",
    // The agent's clicks are the page's script (no user gesture): with the
    // popup blocker on, a target=_blank link or window.open would be lost
    // instead of opening a tab (the tabs are bounded by MAX_TABS).
    "--disable-popup-blocking",
  };
  /// The egress proxy every request goes through (`http://127.0.0.1:PORT`),
  /// loopback included; empty: none (tests of the browser alone).
  std::string proxy_server;
};

/// The flags that send all of Chromium's traffic through `proxy_server`:
/// loopback too (Chromium bypasses proxies for it unless told
/// `<-loopback>`), and no WebRTC UDP around it.
std::vector<std::string> proxy_flags(const std::string& proxy_server);

/// A running Chromium speaking CDP over `--remote-debugging-pipe`: we write
/// NUL-terminated JSON to `to_browser` and read it from `from_browser`.
struct chromium_process {
  pid_t pid = -1;
  int to_browser = -1;
  int from_browser = -1;
  std::string profile_dir;
};

/// Starts Chromium in its own process group, with a fresh profile named for
/// this process (stale_profiles.hpp), set to be killed if the thread that
/// started it dies. Returns an error message on
/// failure.
std::variant<chromium_process, std::string>
launch_chromium(const chromium_settings& settings);

/// Kills the whole process group and reaps it. Its pipe ends then read EOF,
/// which is what stops a reader blocked on them.
void kill_chromium(chromium_process& process);

/// After kill_chromium, once nothing reads or writes the pipes any more:
/// closes our ends and removes the profile.
void release_chromium(chromium_process& process);

} // namespace agenttheo
