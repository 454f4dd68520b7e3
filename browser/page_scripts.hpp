#pragma once

// JavaScript the tools run in the page, one file each under
// browser/scripts/ (compiled in by cmake/embed_web_assets.cmake). Each is a
// function expression taking one JSON argument and, where it acts on one
// element, the shared helpers; tests/browser/page_scripts.test.mjs runs
// them in jsdom.

#include <string>
#include <string_view>

namespace agenttheo::page_scripts {

/// `({resolve, describe})`: finding the element a tool means.
extern const std::string_view helpers;

extern const std::string_view click;
extern const std::string_view field_values;
extern const std::string_view file_input;
extern const std::string_view focus;
extern const std::string_view hover;
extern const std::string_view inspect_target;
extern const std::string_view interactive_elements;
extern const std::string_view page_digest;
extern const std::string_view page_text;
extern const std::string_view links;
extern const std::string_view mask_fields;
extern const std::string_view restore_storage;
extern const std::string_view scroll;
extern const std::string_view select_option;
extern const std::string_view storage_state;
extern const std::string_view wait_for;

/// `(script)(argument, helpers)`, an expression for Runtime.evaluate.
inline std::string call(std::string_view script,
                        std::string_view argument_json) {
  return "(" + std::string{script} + ")(" + std::string{argument_json} + ", "
         + std::string{helpers} + ")";
}

/// `function () { return (script)(argument, helpers); }`, for
/// Runtime.callFunctionOn: `argument` may name the element it is called
/// on as `this`.
inline std::string function_on_element(std::string_view script,
                                       std::string_view argument_js) {
  return "function () { return " + call(script, argument_js) + "; }";
}

} // namespace agenttheo::page_scripts
