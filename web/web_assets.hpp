#pragma once

#include <string_view>

namespace agenttheo {

/// A static file compiled into the binary (see cmake/embed_web_assets.cmake).
struct web_asset {
  std::string_view path;
  std::string_view content_type;
  std::string_view body;
};

/// The asset served at `path` (`/` is `/index.html`), or nullptr.
const web_asset* find_web_asset(std::string_view path);

} // namespace agenttheo
