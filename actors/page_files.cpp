#include "actors/page_files.hpp"

#include <algorithm>
#include <chrono>
#include <system_error>
#include <utility>

#include <caf/all.hpp>

#include "browser/page_scripts.hpp"
#include "config/log.hpp"
#include "messages/messages.hpp"
#include "util/artifact_name.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

/// Downloads a page may have under way at once; more are cancelled.
constexpr std::size_t max_downloads = 8;

/// How long a navigation that stopped with no new document is given to
/// turn out a download. Chrome tells of it 0.1–8 ms after the navigation
/// stops on this machine (a delayed head or not); a second covers a loaded
/// one, and only a link answered with no document at all (a 204) waits it
/// out.
constexpr auto download_begin_grace = std::chrono::seconds{1};

void cancel_download(page_self self, const std::string& guid) {
  json_writer params;
  params.begin_object()
    .field("guid", guid)
    .field("browserContextId", self->state.handle->context_id)
    .end_object();
  browser_cdp(self, "Browser.cancelDownload", params.str(), [](cdp_result) {});
}

void file_note(page_self self, std::string what) {
  note(self, what);
  self->state.file_notes.push_back(std::move(what));
}

void download_began(page_self self, json_reader& params) {
  auto& st = self->state;
  st.download_may_follow = false;
  auto guid = std::string{params.text("guid").value_or("")};
  if (guid.empty() || !st.artifacts)
    return;
  auto name = sanitize_artifact_name(params.text("suggestedFilename").value_or(""),
                                     "download");
  if (st.downloads.size() >= max_downloads) {
    cancel_download(self, guid);
    return file_note(self, "did not download " + name + ": "
                             + std::to_string(max_downloads)
                             + " downloads are under way already");
  }
  auto held = st.artifacts->total_bytes();
  auto max = st.settings.max_artifact_bytes;
  st.downloads[guid] = {name, held < max ? max - held : 0};
  note(self, "downloading " + name + " from "
               + std::string{params.text("url").value_or("")});
  // A wait that gave it a moment to begin now waits for it to end.
  if (st.downloads_wait.armed())
    self->delayed_send(self, st.settings.load_timeout,
                       downloads_timeout_atom::value,
                       st.downloads_wait.retime());
}

/// A finished download becomes an artifact, under a free name.
void download_completed(page_self self, const std::string& guid,
                        const page_state::download& what) {
  auto& st = self->state;
  auto stored = st.artifacts->adopt(st.artifacts->download_path() / guid, what.name,
                                    st.settings.max_artifact_bytes);
  if (auto* why = std::get_if<std::string>(&stored))
    return file_note(self, "did not keep the download " + what.name + ": " + *why);
  auto& file = std::get<artifact_info>(stored);
  file_note(self, "downloaded " + file.name + " (" + std::to_string(file.bytes)
                    + " bytes; upload_file can use it)");
  if (st.owner)
    self->send(st.owner, artifact_saved{file.name, file.mime, file.bytes, "download"});
}

/// A download ended: if it was the last, what waited for it goes on.
void downloads_ended(page_self self) {
  if (self->state.downloads.empty())
    self->state.downloads_wait.end();
}

void download_progressed(page_self self, json_reader& params) {
  auto& st = self->state;
  auto found = st.downloads.find(std::string{params.text("guid").value_or("")});
  if (found == st.downloads.end())
    return;
  auto guid = found->first;
  auto state = params.text("state").value_or("");
  if (state == "inProgress") {
    // The size the server announced counts as soon as it is known.
    auto bytes = std::max(params.number("receivedBytes").value_or(0),
                          params.number("totalBytes").value_or(0));
    if (bytes <= static_cast<double>(found->second.room))
      return;
    cancel_download(self, guid);
    auto name = found->second.name;
    st.downloads.erase(found);
    file_note(self, "stopped downloading " + name
                      + ": the session's artifacts would pass "
                        "MAX_ARTIFACT_BYTES ("
                      + std::to_string(st.settings.max_artifact_bytes) + " bytes)");
    return downloads_ended(self);
  }
  auto what = std::move(found->second);
  st.downloads.erase(found);
  if (state == "completed") {
    download_completed(self, guid, what);
    return downloads_ended(self);
  }
  std::error_code ec;
  std::filesystem::remove(st.artifacts->download_path() / guid, ec);
  if (state == "canceled")
    file_note(self, "the download of " + what.name + " was cancelled");
  downloads_ended(self);
}

/// `DOM.setFileInputFiles` on the node `key` (`backendNodeId` or
/// `objectId`) names: the input now holds `path`, and the page hears input
/// and change as if a person had chosen it.
template <class Node>
void set_files(page_self self, const char* key, const Node& node,
               const std::string& path, std::string done_text, tool_done done) {
  json_writer params;
  params.begin_object()
    .key("files")
    .begin_array()
    .value(path)
    .end_array()
    .field(key, node)
    .end_object();
  cdp(self, "DOM.setFileInputFiles", params.str(),
      [self, done_text = std::move(done_text), done](cdp_result r) {
        settled(self, done)(r.ok ? succeeded(done_text)
                                 : fail("cannot set the file input: " + r.body));
      });
}

/// The first line of a script's error, without its `Error: `.
std::string script_error(std::string text) {
  text = text.substr(0, text.find('\n'));
  constexpr std::string_view prefix = "Error: ";
  if (text.rfind(prefix, 0) == 0)
    text.erase(0, prefix.size());
  return text;
}

/// The file input `target` names, found by page script file_input in the
/// main frame and handed over as the node itself, not its value.
void upload_to_target(page_self self, const std::string& target,
                      const std::string& path, const std::string& what,
                      tool_done done) {
  evaluate_object(
    self,
    "(() => { const r = "
      + page_scripts::call(page_scripts::file_input, agenttheo::quoted(target))
      + "; if (!r.ok) throw new Error(r.output); return r.element; })()",
    [self, path, what, done](bool ok, std::string object_id) {
      if (!ok)
        return done(fail(script_error(std::move(object_id))));
      set_files(self, "objectId", object_id, path, "put " + what, done);
    });
}

} // namespace

void enable_downloads(page_self self) {
  auto& st = self->state;
  // What the last context was downloading died with it (Chromium crashed,
  // or the context was lent out): it never completes.
  st.downloads.clear();
  json_writer params;
  params.begin_object();
  if (st.artifacts)
    params.field("behavior", "allowAndName")
      .field("downloadPath", st.artifacts->download_path().string())
      .field("eventsEnabled", true);
  else
    params.field("behavior", "deny");
  params.field("browserContextId", st.handle->context_id).end_object();
  browser_cdp(self, "Browser.setDownloadBehavior", params.str(), [](cdp_result r) {
    if (!r.ok)
      log(log_level::warn, "page: downloads stay off: ", r.body);
  });
}

void when_downloaded(page_self self, std::function<void()> then) {
  auto& st = self->state;
  auto may_begin = std::exchange(st.download_may_follow, false) && st.artifacts;
  if (st.downloads.empty() && !may_begin)
    return then();
  auto go_on = [then = std::move(then)](bool) { then(); };
  auto generation = st.downloads_wait.arm(std::move(go_on));
  if (st.downloads.empty())
    return self->delayed_send(self, download_begin_grace,
                              downloads_timeout_atom::value, generation);
  note(self, "waiting for the download to finish");
  self->delayed_send(self, st.settings.load_timeout,
                     downloads_timeout_atom::value, generation);
}

bool on_download_event(page_self self, const std::string& method,
                       const std::string& params_json) {
  if (method != "Page.downloadWillBegin" && method != "Page.downloadProgress")
    return false;
  json_document doc{params_json};
  json_reader params{doc};
  if (method == "Page.downloadWillBegin")
    download_began(self, params);
  else
    download_progressed(self, params);
  return true;
}

std::string take_file_notes(page_self self) {
  std::string text;
  for (auto& line : self->state.file_notes)
    text += " (" + line + ")";
  self->state.file_notes.clear();
  return text;
}

void list_downloads(page_self self, tool_done done) {
  auto& st = self->state;
  if (!st.artifacts)
    return done(fail("this session keeps no files"));
  auto files = st.artifacts->list();
  std::uint64_t held = 0;
  std::string lines;
  for (const auto& file : files) {
    held += file.bytes;
    lines += "\n- " + file.name + " (" + std::to_string(file.bytes) + " bytes, "
             + file.mime + ")";
  }
  auto text = files.empty() ? std::string{"The session has no files yet."}
                            : std::to_string(files.size()) + " file"
                                + (files.size() == 1 ? "" : "s")
                                + " in the session's artifacts ("
                                + std::to_string(held) + " of "
                                + std::to_string(st.settings.max_artifact_bytes)
                                + " bytes used):" + lines;
  for (const auto& [guid, download] : st.downloads)
    text += "\nStill downloading: " + download.name;
  done(succeeded(text));
}

void upload_file(page_self self, json_reader& args, tool_done done) {
  auto& st = self->state;
  auto name = std::string{args.text("artifact").value_or("")};
  auto file = st.artifacts ? st.artifacts->find(name) : std::nullopt;
  if (!file)
    return done(fail("no file named '" + name.substr(0, max_artifact_name)
                     + "' in the session's artifacts: list_downloads lists them"));
  std::error_code ec;
  auto bytes = std::filesystem::file_size(*file, ec);
  auto what = name + " (" + std::to_string(bytes) + " bytes) into ";
  auto path = file->string();
  auto ref = std::string{args.text("ref").value_or("")};
  if (ref.empty()) {
    auto target = std::string{args.text("target").value_or("")};
    if (target.empty())
      return done(fail("name the file input: a ref from get_page_snapshot, or a "
                       "target"));
    return upload_to_target(self, target, path, what + target, std::move(done));
  }
  // By ref: the node is known; the script checks it is a file input.
  auto node = st.refs.resolve(ref);
  element_outcome(self, args, page_scripts::file_input, target_only,
                  [self, node, path, what, done](tool_result found) {
                    if (!found.ok)
                      return done(found);
                    set_files(self, "backendNodeId", std::get<std::int64_t>(node),
                              path, "put " + what + found.output, done);
                  });
}

} // namespace agenttheo
