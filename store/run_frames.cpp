#include "store/run_frames.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <system_error>

#include "util/random_id.hpp"

namespace agenttheo {

namespace fs = std::filesystem;

namespace {

/// Reads an unsigned number up to `stop`, moving `rest` past both.
template <class T>
std::optional<T> take_number(std::string_view& rest, char stop) {
  auto end = rest.find(stop);
  if (end == std::string_view::npos || end == 0)
    return std::nullopt;
  T value{};
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + end, value);
  if (ec != std::errc{} || ptr != rest.data() + end)
    return std::nullopt;
  rest.remove_prefix(end + 1);
  return value;
}

} // namespace

std::string frame_file_name(const frame_entry& entry) {
  return std::to_string(entry.id) + "-" + std::to_string(entry.ts) + "-"
         + std::to_string(entry.width) + "x" + std::to_string(entry.height) + ".jpg";
}

std::optional<frame_entry> parse_frame_file_name(std::string_view name) {
  constexpr std::string_view suffix = ".jpg";
  if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix)
    return std::nullopt;
  std::string_view rest = name.substr(0, name.size() - suffix.size() + 1);
  frame_entry entry;
  auto id = take_number<std::uint64_t>(rest, '-');
  auto ts = take_number<std::int64_t>(rest, '-');
  auto width = take_number<std::uint32_t>(rest, 'x');
  auto height = take_number<std::uint32_t>(rest, '.');
  if (!id || *id == 0 || !ts || !width || !height || !rest.empty())
    return std::nullopt;
  entry.id = *id;
  entry.ts = *ts;
  entry.width = *width;
  entry.height = *height;
  return entry;
}

std::optional<run_frames> run_frames::of(const fs::path& session_folder,
                                         std::string_view message_id) {
  if (message_id.empty() || message_id == "." || message_id == ".."
      || message_id.find_first_of("/\\") != std::string_view::npos)
    return std::nullopt;
  return run_frames{session_folder / ".frames" / std::string{message_id}};
}

std::vector<frame_entry> run_frames::list() const {
  std::vector<frame_entry> found;
  std::error_code ec;
  for (fs::directory_iterator it{path_, ec}, end; !ec && it != end;
       it.increment(ec)) {
    auto entry = parse_frame_file_name(it->path().filename().string());
    if (!entry || it->symlink_status(ec).type() != fs::file_type::regular)
      continue;
    entry->bytes = it->file_size(ec);
    if (!ec)
      found.push_back(*entry);
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return found;
}

std::optional<std::string> run_frames::read(std::uint64_t id) const {
  for (const auto& entry : list())
    if (entry.id == id)
      return read(entry);
  return std::nullopt;
}



std::optional<std::string> run_frames::read(const frame_entry& entry) const {
  std::ifstream in{path_ / frame_file_name(entry), std::ios::binary};
  if (!in)
    return std::nullopt;
  return std::string{std::istreambuf_iterator<char>{in}, {}};
}

bool run_frames::write(const frame_entry& entry, std::string_view jpeg) const {
  std::error_code ec;
  fs::create_directories(path_, ec);
  auto partial = path_ / ("." + random_id("frame-"));
  {
    std::ofstream out{partial, std::ios::binary | std::ios::trunc};
    out.write(jpeg.data(), static_cast<std::streamsize>(jpeg.size()));
    if (!out.flush()) {
      fs::remove(partial, ec);
      return false;
    }
  }
  fs::rename(partial, path_ / frame_file_name(entry), ec);
  if (!ec)
    return true;
  fs::remove(partial, ec);
  return false;
}

} // namespace agenttheo
