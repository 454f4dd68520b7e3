#pragma once

#include "actors/browser.hpp"

namespace agenttheo {

/// Browser settings for tests: Chromium's traffic beyond loopback meets a
/// dead proxy (loopback bypasses it), a safety net that holds whatever the
/// code under test does.
inline browser_settings offline_browser() {
  browser_settings settings;
  settings.chromium_flags.push_back("--proxy-server=http://127.0.0.1:9");
  return settings;
}

} // namespace agenttheo
