#pragma once

// One way to read JSON input (request bodies, WebSocket messages, CDP
// replies, tool arguments): parse, then take each member by the type it
// must have. A member that is absent or null reads as absent; one of
// another type reads as absent too, and the first such member is
// remembered as the reader's error.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace agenttheo {

/// Parses `text`; a document that is not a JSON object is the empty object
/// with `parsed_object()` false.
class json_document {
public:
  explicit json_document(std::string_view text);

  bool parsed_object() const {
    return object_;
  }

  const rapidjson::Value& root() const {
    return doc_;
  }

private:
  rapidjson::Document doc_;
  bool object_ = false;
};

class json_reader {
public:
  /// Reads the members of `object` (anything else reads as empty).
  explicit json_reader(const rapidjson::Value& object);

  explicit json_reader(const json_document& doc) : json_reader(doc.root()) {
  }

  /// A string; one whose escapes decode to invalid UTF-8 is an error.
  std::optional<std::string_view> text(const char* name);

  /// A non-negative integer.
  std::optional<std::uint64_t> count(const char* name);

  std::optional<std::int64_t> integer(const char* name);

  std::optional<double> number(const char* name);

  std::optional<bool> boolean(const char* name);

  /// A nested object's reader (empty when absent or not an object).
  json_reader object(const char* name);

  /// A nested array, or null.
  const rapidjson::Value* array(const char* name);

  /// The member as it is, whatever its type, or null when absent.
  const rapidjson::Value* any(const char* name) const;

  /// "`name` must be ..." for the first member of the wrong type.
  const std::optional<std::string>& error() const {
    return error_;
  }

private:
  const rapidjson::Value* typed(const char* name, bool (*is)(const rapidjson::Value&),
                                const char* must_be);

  const rapidjson::Value* object_;
  std::optional<std::string> error_;
};

/// The value as JSON text.
std::string to_json(const rapidjson::Value& value);

} // namespace agenttheo
