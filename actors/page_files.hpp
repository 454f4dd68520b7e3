#pragma once

// A session's files, as its page meets them: what the page downloads lands
// in the session's artifact folder (store/artifact_folder.hpp) and the
// session hears of it (`artifact` event); the model lists the folder
// (`list_downloads`) and puts one of its files into a file input
// (`upload_file`). The page never reads a file outside that folder.

#include <functional>
#include <string>

#include "actors/page_actions.hpp"

namespace agenttheo {

class json_reader;

/// Tells the browser where the page's new context saves downloads (its
/// session's folder), or that it may not download at all.
void enable_downloads(page_self self);

/// `Page.downloadWillBegin` and `Page.downloadProgress`; false for any
/// other event.
bool on_download_event(page_self self, const std::string& method,
                       const std::string& params_json);

/// Calls `then` once no download is under way, or when the load timeout
/// passes: an action that started a download ends with the file kept (or
/// refused), so the next step can use it. When the last navigation stopped
/// with no new document, a download it became is given a moment to begin.
void when_downloaded(page_self self, std::function<void()> then);

/// What happened to files since the last tool ended (a download began,
/// finished, or was refused), for the output of the tool that ends now.
std::string take_file_notes(page_self self);

/// The `list_downloads` tool.
void list_downloads(page_self self, tool_done done);

/// The `upload_file` tool: `artifact` into the file input `ref`/`target`.
void upload_file(page_self self, json_reader& args, tool_done done);

} // namespace agenttheo
