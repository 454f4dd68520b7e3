#pragma once

// Checks a JSON value against the small subset of JSON Schema the tool
// table uses: `type` (object, string, integer, number, boolean, array),
// `properties`, `required` and `enum`. Properties a schema does not name
// are refused: an edited tool input must be one the tool takes.

#include <optional>
#include <string>
#include <string_view>

namespace agenttheo {

/// Why `value_json` does not match `schema_json`, in one sentence naming
/// the path (`url: expected a string`), or nullopt when it matches.
std::optional<std::string> schema_mismatch(std::string_view schema_json,
                                           std::string_view value_json);

/// Whether `value_json` is valid under the JSON Schema `schema_json`
/// (draft 4, RapidJSON's validator: an answer's `output_schema`); nullopt
/// when it is, else where and which keyword failed, in one sentence.
std::optional<std::string> schema_violation(std::string_view schema_json,
                                            std::string_view value_json);

} // namespace agenttheo
