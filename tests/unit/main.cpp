// The unit-test binary's one translation unit with CAF's test runner.
#define CAF_TEST_NO_MAIN
#include <caf/test/unit_test_impl.hpp>

int main(int argc, char** argv) {
  return caf::test::main(argc, argv);
}
