#pragma once

// The page as the model reads it from get_page_snapshot: Chromium's
// accessibility tree (CDP Accessibility.getFullAXTree, which already
// includes open shadow roots) rendered as an indented outline, one node a
// line, with each element the model can act on marked by a reference
// (`[ref=e12]`, from its backend DOM node id). Frames are read separately
// and placed under their iframe. Pure: tested on recorded CDP replies.
//
//   - heading "Shop" [level=1]
//   - textbox "Email" [ref=e3]: a@b.c
//   - combobox "Size" [ref=e4]: M [options: S, M, L]
//   - link "About us" [ref=e30] -> /about.html
//   - row: "Alice" | "42"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace agenttheo {

struct snapshot_source {
  /// The reply of Accessibility.getFullAXTree for the main frame.
  std::string main_tree_json;
  /// An iframe element's backend node id → its document's reply, or an
  /// empty string when the frame could not be read (a cross-site frame in
  /// another process).
  std::map<std::int64_t, std::string> frames;
};

struct page_snapshot {
  std::string text;
  /// The backend node ids the text gives references to.
  std::vector<std::int64_t> refs;
  /// Lines left out to stay within the size limit.
  std::size_t lines_cut = 0;
};

/// The snapshot, at most about `max_chars` long (then with a note).
page_snapshot render_snapshot(const snapshot_source& source, std::size_t max_chars);

/// `e12` for backend node 12.
std::string element_ref(std::int64_t backend_node_id);

} // namespace agenttheo
