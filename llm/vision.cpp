#include "llm/vision.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "util/ascii.hpp"

namespace agenttheo {

const std::vector<std::string_view>& vision_model_families() {
  static const std::vector<std::string_view> families = {
    "gpt-4o", "gpt-4.1", "gpt-4-turbo", "gpt-4-vision", "gpt-5", "o1", "o3",
    "o4-mini", "claude-3", "claude-sonnet-4", "claude-opus-4", "claude-haiku-4",
    "claude-4", "gemini", "gemma-3", "llava", "bakllava", "pixtral",
    "mistral-small-3", "mistral-medium-3", "qwen-vl", "qwen2-vl", "qwen2.5-vl",
    "qwen3-vl", "llama-3.2-11b-vision", "llama-3.2-90b-vision", "llama-4",
    "minicpm-v", "internvl", "grok-2-vision", "grok-4", "moondream",
  };
  return families;
}

bool model_accepts_images(std::string_view model) {
  auto name = ascii_lower(model);
  // The last path segment: `openai/gpt-4o` is gpt-4o, `x/o1-like` is not o1.
  auto slash = name.rfind('/');
  std::string_view base{name};
  if (slash != std::string::npos)
    base.remove_prefix(slash + 1);
  for (auto family : vision_model_families()) {
    auto at = base.find(family);
    // A family starts the name or follows a separator (`o1` is not in
    // `yolo1`), and is not followed by more letters (`o1` is not `o1x`).
    while (at != std::string_view::npos) {
      bool starts = at == 0 || base[at - 1] == '-' || base[at - 1] == ':'
                    || base[at - 1] == '_' || base[at - 1] == '.';
      auto after = at + family.size();
      bool ends = after == base.size() || !std::isalnum(static_cast<unsigned char>(base[after]));
      if (starts && ends)
        return true;
      at = base.find(family, at + 1);
    }
  }
  return false;
}

bool vision_enabled(const llm_settings& llm) {
  if (llm.is_planner() || llm.vision == vision_mode::off)
    return false;
  return llm.vision == vision_mode::on || model_accepts_images(llm.model);
}

std::size_t image_tokens(std::uint32_t width, std::uint32_t height) {
  if (width == 0 || height == 0)
    return 85;
  double w = width;
  double h = height;
  double fit = std::min(1.0, 2048.0 / std::max(w, h));
  w *= fit;
  h *= fit;
  double shortest = std::min(1.0, 768.0 / std::min(w, h));
  w *= shortest;
  h *= shortest;
  auto tiles = static_cast<std::size_t>(std::ceil(w / 512) * std::ceil(h / 512));
  return 85 + 170 * tiles;
}

} // namespace agenttheo
