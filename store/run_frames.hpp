#pragma once

// A run's recorded page frames on disk:
// `<ARTIFACTS_DIR>/<session id>/.frames/<messageId>/`, one JPEG per frame,
// named `<id>-<ts>-<width>x<height>.jpg`, so the name is the index and a
// listing needs no second file to keep in step. Under the session's folder,
// and never listed as an artifact (a dot folder), the frames go when the
// session's files go. Each frame is written beside the others and renamed
// in, so a reader sees whole frames only.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agenttheo {

/// One recorded frame, as its file's name says.
struct frame_entry {
  std::uint64_t id = 0;
  /// When it was recorded, Unix ms (the clock of the events' `ts`).
  std::int64_t ts = 0;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint64_t bytes = 0;
};

class run_frames {
public:
  /// The frames of `message_id` under the session folder `session_folder`;
  /// nullopt for an id that is no folder name.
  static std::optional<run_frames> of(const std::filesystem::path& session_folder,
                                      std::string_view message_id);

  const std::filesystem::path& path() const {
    return path_;
  }

  /// Every frame, by id.
  std::vector<frame_entry> list() const;

  /// The JPEG of frame `id`, if there is one.
  std::optional<std::string> read(std::uint64_t id) const;

  /// The JPEG of a frame `list` gave, without listing again.
  std::optional<std::string> read(const frame_entry& entry) const;

  /// Writes `jpeg` as frame `entry.id`; false when it cannot be written.
  bool write(const frame_entry& entry, std::string_view jpeg) const;

private:
  explicit run_frames(std::filesystem::path path) : path_(std::move(path)) {
  }

  std::filesystem::path path_;
};

/// The file name of a frame, and back (nullopt for any other name).
std::string frame_file_name(const frame_entry& entry);
std::optional<frame_entry> parse_frame_file_name(std::string_view name);

} // namespace agenttheo
