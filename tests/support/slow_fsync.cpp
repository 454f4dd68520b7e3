// A disk that stalls, for the store's tests: LD_PRELOADed into agenttheo,
// fsync and fdatasync wait while the file named by AGENTTHEO_STALL_FILE
// exists, then do their work. Everything else about the disk is real.

#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

namespace {

using sync_call = int (*)(int);

void wait_while_stalled() {
  const char* stall = getenv("AGENTTHEO_STALL_FILE");
  struct timespec pause = {0, 5 * 1000 * 1000};
  while (stall && access(stall, F_OK) == 0)
    nanosleep(&pause, nullptr);
}

} // namespace

extern "C" {

int fsync(int fd) {
  static auto real = reinterpret_cast<sync_call>(dlsym(RTLD_NEXT, "fsync"));
  wait_while_stalled();
  return real(fd);
}

int fdatasync(int fd) {
  static auto real = reinterpret_cast<sync_call>(dlsym(RTLD_NEXT, "fdatasync"));
  wait_while_stalled();
  return real(fd);
}

} // extern "C"
