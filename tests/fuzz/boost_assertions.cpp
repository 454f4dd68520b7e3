// Boost's assertions in the fuzzers (built with BOOST_ENABLE_ASSERT_HANDLER):
// each one that fails is a finding, but for one Beast 1.81 gets wrong.

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace boost {

void assertion_failed(char const* expr, char const* function, char const* file,
                      long line) {
  // Beast's parse_chunk_header asserts `n >= 5` when a parse resumes at a
  // last chunk ("0\r\n") that did not follow a chunk's body: three bytes
  // are possible there, and the code after the assertion handles them
  // (boostorg/beast#2861, fixed in Boost 1.86). Release builds (NDEBUG)
  // never check it.
  if (std::string_view{expr} == "n >= 5"
      && std::string_view{function}.find("parse_chunk_header") != std::string_view::npos)
    return;
  std::fprintf(stderr, "Boost assertion failed: %s in %s (%s:%ld)\n", expr,
               function, file, line);
  std::abort();
}

void assertion_failed_msg(char const* expr, char const* msg, char const* function,
                          char const* file, long line) {
  std::fprintf(stderr, "Boost assertion failed: %s (%s) in %s (%s:%ld)\n", expr,
               msg, function, file, line);
  std::abort();
}

} // namespace boost
