#include "browser/stale_profiles.hpp"

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <optional>

#include <sys/stat.h>
#include <unistd.h>

namespace agenttheo {

namespace {

constexpr std::string_view prefix = "agenttheo-chromium-";

/// The server pid in a profile's name, if it is one of ours.
std::optional<pid_t> owner_of(const std::string& name) {
  if (name.compare(0, prefix.size(), prefix) != 0)
    return std::nullopt;
  auto digits = name.substr(prefix.size());
  auto dash = digits.find('-');
  if (dash == 0 || dash == std::string::npos || dash > 9
      || digits.find_first_not_of("0123456789") != dash)
    return std::nullopt;
  return static_cast<pid_t>(std::stol(digits.substr(0, dash)));
}

bool running(pid_t pid) {
  // EPERM: alive, just not ours to signal.
  return kill(pid, 0) == 0 || errno != ESRCH;
}

bool mine(const std::filesystem::path& path) {
  struct stat info;
  return lstat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)
         && info.st_uid == geteuid();
}

} // namespace

std::string profile_template(const std::string& dir, pid_t owner) {
  return dir + "/" + std::string{prefix} + std::to_string(owner) + "-XXXXXX";
}

std::size_t remove_stale_profiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::size_t removed = 0;
  for (fs::directory_iterator it{dir, ec}, end; !ec && it != end;
       it.increment(ec)) {
    auto owner = owner_of(it->path().filename().string());
    if (!owner || *owner == getpid() || running(*owner) || !mine(it->path()))
      continue;
    std::error_code ignored;
    if (fs::remove_all(it->path(), ignored) > 0)
      ++removed;
  }
  return removed;
}

} // namespace agenttheo
