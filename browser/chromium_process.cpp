#include "browser/chromium_process.hpp"

#include "browser/stale_profiles.hpp"
#include "util/cpu_affinity.hpp"
#include "util/exec_args.hpp"
#include "util/thread_slice.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace agenttheo {

namespace {

/// The child's half of the fork: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(int commands, int replies, char* const* argv,
                             char* const* envp, const process_cpus& cpus) {
  // CDP over pipes uses fd 3 for commands and fd 4 for replies. Both are
  // moved above 4 first: a pipe already on 3 or 4 would keep FD_CLOEXEC
  // through dup2 onto itself (Chromium then exits 13, "pipe file
  // descriptors are not open"), or be overwritten by the other's dup2.
  commands = fcntl(commands, F_DUPFD, 5);
  replies = fcntl(replies, F_DUPFD, 5);
  dup2(commands, 3);
  dup2(replies, 4);
  for (int fd = 5; fd < 1024; ++fd)
    close(fd);
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(devnull, 1);
  dup2(devnull, 2);
  // Own process group, so kill_chromium can kill renderers too; and
  // die with us if we die without cleaning up.
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Forked from the thread that asked, maybe an I/O thread pinned to one
  // CPU with a short slice: the browser and its renderers get the whole
  // process's CPUs and the kernel's slice.
  cpus.give_to_this_thread();
  give_this_thread_the_kernels_slice();
  execve(argv[0], argv, envp);
  _exit(127);
}

/// This process's environment with TMPDIR set to `dir`: Chromium makes
/// its temporary files there, among them the directory of its singleton
/// socket, which only a clean exit removes. Chromium is killed, so its
/// temporary files go when its profile goes (release_chromium).
std::vector<std::string> environment_with_tmpdir(const std::string& dir) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry; ++entry)
    if (std::strncmp(*entry, "TMPDIR=", 7) != 0)
      env.emplace_back(*entry);
  env.push_back("TMPDIR=" + dir);
  return env;
}

} // namespace

std::vector<std::string> proxy_flags(const std::string& proxy_server) {
  return {"--proxy-server=" + proxy_server, "--proxy-bypass-list=<-loopback>",
          "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"};
}

std::variant<chromium_process, std::string>
launch_chromium(const chromium_settings& settings) {
  if (access(settings.path.c_str(), X_OK) != 0)
    return "cannot run " + settings.path + ": " + std::strerror(errno);
  auto profile = profile_template("/tmp", getpid());
  if (!mkdtemp(profile.data()))
    return std::string{"cannot create a profile directory: "}
           + std::strerror(errno);
  std::vector<std::string> args{settings.path};
  args.insert(args.end(), settings.flags.begin(), settings.flags.end());
  if (!settings.proxy_server.empty())
    for (auto& flag : proxy_flags(settings.proxy_server))
      args.push_back(std::move(flag));
  args.push_back("--remote-debugging-pipe");
  args.push_back("--user-data-dir=" + profile);
  args.push_back("about:blank");
  auto argv = exec_pointers(args);
  auto env = environment_with_tmpdir(profile);
  auto envp = exec_pointers(env);
  int commands[2];
  int replies[2];
  if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(replies, O_CLOEXEC) != 0)
    return std::string{"pipe: "} + std::strerror(errno);
  process_cpus cpus;
  pid_t pid = fork();
  if (pid < 0)
    return std::string{"fork: "} + std::strerror(errno);
  if (pid == 0)
    exec_child(commands[0], replies[1], argv.data(), envp.data(), cpus);
  close(commands[0]);
  close(replies[1]);
  chromium_process process;
  process.pid = pid;
  process.to_browser = commands[1];
  process.from_browser = replies[0];
  process.profile_dir = profile;
  return process;
}

void kill_chromium(chromium_process& process) {
  if (process.pid > 0) {
    kill(-process.pid, SIGKILL);
    kill(process.pid, SIGKILL);
    waitpid(process.pid, nullptr, 0);
    process.pid = -1;
  }
}

void release_chromium(chromium_process& process) {
  if (process.to_browser >= 0)
    close(process.to_browser);
  if (process.from_browser >= 0)
    close(process.from_browser);
  process.to_browser = process.from_browser = -1;
  if (!process.profile_dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(process.profile_dir, ignored);
    process.profile_dir.clear();
  }
}

} // namespace agenttheo
