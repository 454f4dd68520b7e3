#pragma once

// A session's artifacts on disk: `<ARTIFACTS_DIR>/<session id>/`, the
// files its page downloaded and the files its clients posted. Only regular
// files whose names pass is_artifact_name are listed, served or uploaded
// into a page, so nothing outside the folder (a symlink, `..`) can be
// reached through it. Files arrive whole: written beside the others under
// a dot folder, then linked in under a free name, never over another file.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/artifact_name.hpp"

namespace agenttheo {

class artifact_folder {
public:
  /// The folder of `session_id` under `root` (made absolute); nullopt for
  /// an id that is no folder name (`.`, `..`).
  static std::optional<artifact_folder> of(const std::string& root,
                                           const std::string& session_id);

  const std::filesystem::path& path() const {
    return path_;
  }

  /// Where files are written before they are whole (an upload being
  /// stored): never listed or named.
  std::filesystem::path work_path() const {
    return path_ / ".partial";
  }

  /// Where the browser writes downloads in flight, by CDP guid: never
  /// listed or named, and removed with the page that downloads.
  std::filesystem::path download_path() const {
    return path_ / ".downloads";
  }

  /// The artifacts, by name.
  std::vector<artifact_info> list() const;

  std::uint64_t total_bytes() const;

  /// The artifact `name` names, if there is one.
  std::optional<std::filesystem::path> find(std::string_view name) const;

  /// A new artifact named like `wanted` (sanitised, made unique) holding
  /// `bytes`; an error sentence when it would take the folder past
  /// `max_total` bytes or cannot be written.
  std::variant<artifact_info, std::string>
  add(std::string_view wanted, std::string_view bytes, std::uint64_t max_total) const;

  /// Moves the finished file `from` (under work_path or download_path) in
  /// as a new artifact
  /// named like `wanted`; removes it instead, with an error sentence, when
  /// it would take the folder past `max_total` bytes.
  std::variant<artifact_info, std::string>
  adopt(const std::filesystem::path& from, std::string_view wanted,
        std::uint64_t max_total) const;

  /// Deletes the folder and everything in it.
  void remove() const;

private:
  explicit artifact_folder(std::filesystem::path path) : path_(std::move(path)) {
  }

  std::filesystem::path path_;
};

} // namespace agenttheo
