#include "store/artifact_folder.hpp"

#include <algorithm>
#include <fstream>
#include <system_error>

#include "util/artifact_name.hpp"
#include "util/random_id.hpp"

namespace agenttheo {

namespace fs = std::filesystem;

namespace {

bool is_regular(const fs::path& file) {
  std::error_code ec;
  return fs::symlink_status(file, ec).type() == fs::file_type::regular;
}

std::string too_large(std::uint64_t bytes, std::uint64_t held,
                      std::uint64_t max_total) {
  return "the file (" + std::to_string(bytes) + " bytes) does not fit: the "
         + "session's artifacts hold " + std::to_string(held) + " of "
         + std::to_string(max_total) + " bytes (MAX_ARTIFACT_BYTES)";
}

} // namespace

std::optional<artifact_folder> artifact_folder::of(const std::string& root,
                                                   const std::string& session_id) {
  if (session_id.empty() || session_id == "." || session_id == ".."
      || session_id.find_first_of("/\\") != std::string::npos)
    return std::nullopt;
  std::error_code ec;
  auto base = fs::absolute(root, ec);
  if (ec)
    return std::nullopt;
  return artifact_folder{(base / session_id).lexically_normal()};
}

std::vector<artifact_info> artifact_folder::list() const {
  std::vector<artifact_info> found;
  std::error_code ec;
  for (fs::directory_iterator it{path_, ec}, end; !ec && it != end;
       it.increment(ec)) {
    auto name = it->path().filename().string();
    if (!is_artifact_name(name)
        || it->symlink_status(ec).type() != fs::file_type::regular)
      continue;
    auto bytes = it->file_size(ec);
    if (ec)
      continue;
    found.push_back({name, std::string{artifact_mime(name)}, bytes});
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return found;
}

std::uint64_t artifact_folder::total_bytes() const {
  std::uint64_t total = 0;
  for (const auto& file : list())
    total += file.bytes;
  return total;
}

std::optional<fs::path> artifact_folder::find(std::string_view name) const {
  if (!is_artifact_name(name))
    return std::nullopt;
  auto file = path_ / std::string{name};
  if (!is_regular(file))
    return std::nullopt;
  return file;
}

std::variant<artifact_info, std::string>
artifact_folder::add(std::string_view wanted, std::string_view bytes,
                     std::uint64_t max_total) const {
  auto held = total_bytes();
  if (held + bytes.size() > max_total)
    return too_large(bytes.size(), held, max_total);
  std::error_code ec;
  fs::create_directories(work_path(), ec);
  auto file = work_path() / random_id("upload-");
  {
    std::ofstream out{file, std::ios::binary | std::ios::trunc};
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      fs::remove(file, ec);
      return std::string{"cannot write the file"};
    }
  }
  return adopt(file, sanitize_artifact_name(wanted, "upload"), max_total);
}

std::variant<artifact_info, std::string>
artifact_folder::adopt(const fs::path& from, std::string_view wanted,
                       std::uint64_t max_total) const {
  std::error_code ec;
  auto bytes = fs::file_size(from, ec);
  if (ec)
    return "the file is gone: " + ec.message();
  auto held = total_bytes();
  if (held + bytes > max_total) {
    fs::remove(from, ec);
    return too_large(bytes, held, max_total);
  }
  fs::create_directories(path_, ec);
  auto base = sanitize_artifact_name(wanted, "download");
  // A hard link fails rather than replace a file another writer linked in
  // under the same name since: then the next free name is tried.
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto name = unique_artifact_name(
      base, [this](const std::string& n) {
        std::error_code missing;
        return fs::symlink_status(path_ / n, missing).type()
               != fs::file_type::not_found;
      });
    if (name.empty())
      break;
    fs::create_hard_link(from, path_ / name, ec);
    if (ec == std::errc::file_exists)
      continue;
    if (ec)
      break;
    fs::remove(from, ec);
    return artifact_info{name, std::string{artifact_mime(name)}, bytes};
  }
  fs::remove(from, ec);
  return std::string{"cannot store the file"};
}

void artifact_folder::remove() const {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

} // namespace agenttheo
