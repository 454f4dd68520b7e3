#pragma once

// CAF 0.17's unit_test.hpp, with its comparing checks made safe for
// temporaries. Its CAF_CHECK_EQUAL and friends bind each operand with
// `auto&& x = expr;` and compare in the next statement, so an operand that
// points into a temporary (`doc()["key"].GetString()`,
// `ok(load(...)).field`, `opt()->member`) is read after the temporary is
// gone: AddressSanitizer's stack-use-after-scope and heap-use-after-free.
// Here the operands are a lambda's arguments, so every temporary lives
// until the comparison is done. The test targets put this folder before
// the system's, so `#include <caf/test/unit_test.hpp>` finds this file.

#include_next <caf/test/unit_test.hpp>

#undef CAF_CHECK_FUNC
#define CAF_CHECK_FUNC(func, x_expr, y_expr)                                   \
  do {                                                                         \
    [&](auto&& x_val___, auto&& y_val___) {                                    \
      func comparator;                                                         \
      static_cast<void>(::caf::test::detail::check(                            \
        ::caf::test::engine::current_test(), __FILE__, __LINE__,               \
        CAF_FUNC_EXPR(func, x_expr, y_expr), false,                            \
        comparator(x_val___, y_val___), x_val___, y_val___));                  \
    }(x_expr, y_expr);                                                         \
    ::caf::test::engine::last_check_file(__FILE__);                            \
    ::caf::test::engine::last_check_line(__LINE__);                            \
  } while (false)

#undef CAF_REQUIRE_FUNC
#define CAF_REQUIRE_FUNC(func, x_expr, y_expr)                                 \
  do {                                                                         \
    auto CAF_UNIQUE(__result) = [&](auto&& x_val___, auto&& y_val___) {        \
      func comparator;                                                         \
      return ::caf::test::detail::check(                                       \
        ::caf::test::engine::current_test(), __FILE__, __LINE__,               \
        CAF_FUNC_EXPR(func, x_expr, y_expr), false,                            \
        comparator(x_val___, y_val___), x_val___, y_val___);                   \
    }(x_expr, y_expr);                                                         \
    if (!CAF_UNIQUE(__result))                                                 \
      ::caf::test::detail::requirement_failed(                                 \
        CAF_FUNC_EXPR(func, x_expr, y_expr));                                  \
    ::caf::test::engine::last_check_file(__FILE__);                            \
    ::caf::test::engine::last_check_line(__LINE__);                            \
  } while (false)
