// The browser tests' translation unit with CAF's test runner.
#define CAF_TEST_NO_MAIN
#include <caf/test/unit_test_impl.hpp>

#include <csignal>

int main(int argc, char** argv) {
  // As in the server: a write to a dead browser's pipe must be an error, not
  // a fatal signal.
  std::signal(SIGPIPE, SIG_IGN);
  return caf::test::main(argc, argv);
}
