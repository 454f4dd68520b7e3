#include "browser/ax_snapshot.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>

#include <rapidjson/document.h>

#include "util/ascii.hpp"
#include "util/utf8.hpp"

namespace agenttheo {

namespace {

using value = rapidjson::Value;

constexpr std::size_t max_name = 100;
constexpr std::size_t max_text = 300;
constexpr std::size_t max_options = 20;
/// Deeper than any real page's outline after flattening; stops a hostile
/// page's nesting from growing the stack.
constexpr int max_depth = 60;
/// Nodes entered within one another, wrappers (shown at their parent's
/// depth) included: what bounds the recursion itself.
constexpr int max_nesting = 256;

std::string_view member_text(const value& v, const char* name) {
  if (!v.IsObject())
    return {};
  auto i = v.FindMember(name);
  if (i == v.MemberEnd() || !i->value.IsString())
    return {};
  return {i->value.GetString(), i->value.GetStringLength()};
}

/// `{"type": ..., "value": ...}` as text: a string, a number, or a bool.
std::string ax_value_text(const value& ax_value) {
  if (!ax_value.IsObject())
    return {};
  auto i = ax_value.FindMember("value");
  if (i == ax_value.MemberEnd())
    return {};
  const auto& v = i->value;
  if (v.IsString())
    return {v.GetString(), v.GetStringLength()};
  if (v.IsBool())
    return v.GetBool() ? "true" : "false";
  if (v.IsInt64())
    return std::to_string(v.GetInt64());
  if (v.IsNumber())
    return std::to_string(v.GetDouble());
  return {};
}

std::string field(const value& node, const char* name) {
  auto i = node.FindMember(name);
  return i == node.MemberEnd() ? std::string{} : ax_value_text(i->value);
}

/// A property of the node (`checked`, `level`, `url`...), or empty.
std::string property(const value& node, std::string_view name) {
  auto i = node.FindMember("properties");
  if (i == node.MemberEnd() || !i->value.IsArray())
    return {};
  for (const auto& p : i->value.GetArray())
    if (member_text(p, "name") == name) {
      auto v = p.FindMember("value");
      return v == p.MemberEnd() ? std::string{} : ax_value_text(v->value);
    }
  return {};
}

std::int64_t backend_id(const value& node) {
  auto i = node.FindMember("backendDOMNodeId");
  return i != node.MemberEnd() && i->value.IsInt64() ? i->value.GetInt64() : 0;
}

/// Whitespace runs as one space, trimmed, cut to `max` bytes on a UTF-8
/// boundary.
std::string tidy(std::string_view text, std::size_t max) {
  auto out = collapse_spaces(text);
  if (out.size() > max) {
    out.resize(utf8_prefix(out, max).size());
    out += "…";
  }
  return out;
}

bool is_one_of(std::string_view role, std::initializer_list<std::string_view> roles) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

/// Roles a person acts on: given a reference even when not focusable.
bool is_control(std::string_view role) {
  return is_one_of(role, {"button", "link", "textbox", "searchbox", "combobox",
                          "listbox", "option", "checkbox", "radio", "switch",
                          "slider", "spinbutton", "menuitem", "menuitemcheckbox",
                          "menuitemradio", "tab", "treeitem"});
}

/// Containers that say nothing by themselves: their children are shown in
/// their place.
bool is_wrapper(std::string_view role) {
  return is_one_of(role, {"generic", "none", "presentation", "LabelText",
                          "GenericContainer", "Section", "RootWebArea",
                          "rowgroup", "Canvas"});
}

bool is_cell(std::string_view role) {
  return is_one_of(role, {"cell", "gridcell", "columnheader", "rowheader"});
}

/// One document's nodes, by id.
struct ax_tree {
  rapidjson::Document doc;
  std::unordered_map<std::string_view, const value*> by_id;
  const value* root = nullptr;

  explicit ax_tree(const std::string& json) {
    doc.Parse(json.data(), json.size());
    if (!doc.IsObject())
      return;
    auto nodes = doc.FindMember("nodes");
    if (nodes == doc.MemberEnd() || !nodes->value.IsArray())
      return;
    for (const auto& node : nodes->value.GetArray()) {
      auto id = member_text(node, "nodeId");
      if (id.empty())
        continue;
      by_id.emplace(id, &node);
      if (!root)
        root = &node;
    }
  }

  /// The children a reader sees: ignored nodes are looked through, inline
  /// text boxes and empty text dropped.
  std::vector<const value*> shown_children(const value& node, int guard = 0) const {
    std::vector<const value*> out;
    auto ids = node.FindMember("childIds");
    if (ids == node.MemberEnd() || !ids->value.IsArray() || guard > max_depth)
      return out;
    for (const auto& id : ids->value.GetArray()) {
      if (!id.IsString())
        continue;
      auto found = by_id.find({id.GetString(), id.GetStringLength()});
      if (found == by_id.end())
        continue;
      const auto& child = *found->second;
      auto ignored = child.FindMember("ignored");
      if (ignored != child.MemberEnd() && ignored->value.IsBool()
          && ignored->value.GetBool()) {
        auto inner = shown_children(child, guard + 1);
        out.insert(out.end(), inner.begin(), inner.end());
        continue;
      }
      auto role = field(child, "role");
      if (role == "InlineTextBox" || role == "LineBreak" || role == "ListMarker"
          || (role == "StaticText" && tidy(field(child, "name"), 1).empty()))
        continue;
      out.push_back(&child);
    }
    return out;
  }

  /// The node's content when it is only text (nullopt otherwise).
  std::optional<std::string> only_text(const value& node) const {
    std::string text;
    for (const auto* child : shown_children(node)) {
      if (field(*child, "role") != "StaticText")
        return std::nullopt;
      text += field(*child, "name");
    }
    return text;
  }
};

class snapshot_writer {
public:
  snapshot_writer(const snapshot_source& source, std::size_t max_chars)
    : source_(source), max_chars_(max_chars) {
  }

  /// The page's title and address, from its root node.
  void header(const ax_tree& tree) {
    if (!tree.root)
      return;
    auto url = property(*tree.root, "url");
    auto scheme = url.find("://");
    if (scheme != std::string::npos)
      origin_ = url.substr(0, url.find('/', scheme + 3));
    add(0, "page: \"" + tidy(field(*tree.root, "name"), max_name) + "\" " + url, 0);
  }

  /// The document's content (its root is the header, or the iframe).
  void document(const ax_tree& tree, int depth) {
    if (tree.root)
      children(tree, *tree.root, depth);
  }

  page_snapshot finish() {
    if (out_.lines_cut > 0)
      out_.text += "[snapshot cut: " + std::to_string(out_.lines_cut)
                   + " more lines; scroll, or read the rest with get_page_text]\n";
    if (out_.text.empty() || out_.text.find('\n') == out_.text.rfind('\n'))
      out_.text += "(the page shows nothing a reader can see)\n";
    return std::move(out_);
  }

private:
  void node(const ax_tree& tree, const value& n, int depth) {
    if (depth > max_depth || nesting_ >= max_nesting)
      return;
    ++nesting_;
    show(tree, n, depth);
    --nesting_;
  }

  void show(const ax_tree& tree, const value& n, int depth) {
    auto role = field(n, "role");
    auto name = tidy(field(n, "name"), max_name);
    if (role == "StaticText")
      return add(depth, "- text: " + tidy(field(n, "name"), max_text), 0);
    if (role == "Iframe")
      return frame(n, name, depth);
    auto ref = wants_ref(n, role) ? backend_id(n) : 0;
    if (is_wrapper(role) && name.empty() && ref == 0)
      return children(tree, n, depth);
    if (role == "row" && row(tree, n, depth))
      return;
    std::string line = "- " + role;
    if (!name.empty())
      line += " \"" + name + "\"";
    if (ref)
      line += " [ref=" + element_ref(ref) + "]";
    line += states(n, role);
    auto text = tree.only_text(n);
    if (auto v = tidy(field(n, "value"), max_text); !v.empty() && role != "link")
      line += ": " + v;
    else if (text && !text->empty() && tidy(*text, max_text) != name)
      line += ": " + tidy(*text, max_text);
    if (auto url = property(n, "url"); !url.empty() && role == "link")
      line += " -> " + short_url(url);
    if (role == "combobox")
      line += options(tree, n);
    // A bare "- paragraph": an empty element says nothing.
    if (line == "- " + role && (text || tree.shown_children(n).empty()))
      return;
    add(depth, line, ref);
    // A field's inner text is its value, already shown.
    if (!text && !is_one_of(role, {"combobox", "textbox", "searchbox", "spinbutton"}))
      children(tree, n, depth + 1);
  }

  void children(const ax_tree& tree, const value& n, int depth) {
    for (const auto* child : tree.shown_children(n))
      node(tree, *child, depth);
  }

  /// A row of plain cells as one Markdown table row: tables stay compact.
  bool row(const ax_tree& tree, const value& n, int depth) {
    std::string line = "|";
    for (const auto* cell : tree.shown_children(n)) {
      auto text = tree.only_text(*cell);
      if (!is_cell(field(*cell, "role")) || !text || wants_ref(*cell, "cell"))
        return false;
      line += " " + tidy(*text, max_name) + " |";
    }
    add(depth, line, 0);
    return true;
  }

  void frame(const value& n, const std::string& name, int depth) {
    add(depth, "- iframe" + (name.empty() ? "" : " \"" + name + "\""), 0);
    auto found = source_.frames.find(backend_id(n));
    if (found == source_.frames.end())
      return;
    if (found->second.empty())
      return add(depth + 1, "- text: (a frame from another site: not readable)", 0);
    document(ax_tree{found->second}, depth + 1);
  }

  bool wants_ref(const value& n, std::string_view role) const {
    if (role == "RootWebArea" || role == "Iframe" || backend_id(n) <= 0)
      return false;
    return is_control(role) || property(n, "focusable") == "true";
  }

  static std::string states(const value& n, std::string_view role) {
    std::string out;
    if (auto level = property(n, "level"); !level.empty() && role == "heading")
      out += " [level=" + level + "]";
    if (auto checked = property(n, "checked"); checked == "true")
      out += " [checked]";
    else if (checked == "mixed")
      out += " [checked=mixed]";
    for (const char* flag : {"disabled", "expanded", "selected", "pressed",
                             "required", "focused", "readonly"})
      if (property(n, flag) == "true")
        out += std::string{" ["} + flag + "]";
    return out;
  }

  std::string options(const ax_tree& tree, const value& combobox) const {
    std::string out;
    std::size_t count = 0;
    // A <select>'s options sit under its popup.
    for (const auto* popup : tree.shown_children(combobox))
      for (const auto* option : tree.shown_children(*popup)) {
        if (field(*option, "role") != "option")
          continue;
        if (++count <= max_options)
          out += (count > 1 ? ", " : "") + tidy(field(*option, "name"), max_name);
      }
    if (count > max_options)
      out += ", … (" + std::to_string(count) + " in all)";
    return out.empty() ? out : " [options: " + out + "]";
  }

  std::string short_url(const std::string& url) const {
    if (!origin_.empty() && url.compare(0, origin_.size(), origin_) == 0
        && url.size() > origin_.size() && url[origin_.size()] == '/')
      return url.substr(origin_.size());
    return url;
  }

  void add(int depth, const std::string& line, std::int64_t ref) {
    std::size_t size = static_cast<std::size_t>(depth) * 2 + line.size() + 1;
    if (out_.lines_cut > 0 || out_.text.size() + size > max_chars_) {
      ++out_.lines_cut;
      return;
    }
    out_.text.append(static_cast<std::size_t>(depth) * 2, ' ');
    out_.text += line;
    out_.text += '\n';
    if (ref)
      out_.refs.push_back(ref);
  }

  const snapshot_source& source_;
  std::size_t max_chars_;
  std::string origin_;
  int nesting_ = 0;
  page_snapshot out_;
};

} // namespace

std::string element_ref(std::int64_t backend_node_id) {
  return "e" + std::to_string(backend_node_id);
}

page_snapshot render_snapshot(const snapshot_source& source, std::size_t max_chars) {
  snapshot_writer writer{source, max_chars};
  ax_tree main{source.main_tree_json};
  writer.header(main);
  writer.document(main, 0);
  return writer.finish();
}

} // namespace agenttheo
