#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "util/utf8.hpp"

namespace agenttheo {

/// A thin, chainable wrapper over rapidjson's writer that produces one
/// compact JSON text (never a newline, so it fits in one SSE `data:` line).
class json_writer {
public:
  json_writer() : writer_(buffer_) {
  }

  json_writer& begin_object() {
    writer_.StartObject();
    return *this;
  }
  json_writer& end_object() {
    writer_.EndObject();
    return *this;
  }
  json_writer& begin_array() {
    writer_.StartArray();
    return *this;
  }
  json_writer& end_array() {
    writer_.EndArray();
    return *this;
  }
  json_writer& key(std::string_view name) {
    writer_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    return *this;
  }
  /// Text from outside (a model's, a page's) may not be UTF-8: what is
  /// written always is, invalid sequences as U+FFFD.
  json_writer& value(std::string_view text) {
    if (!is_valid_utf8(text)) {
      auto valid = to_valid_utf8(text);
      writer_.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
      return *this;
    }
    writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return *this;
  }
  json_writer& value(const char* text) {
    return value(std::string_view{text});
  }
  json_writer& value(const std::string& text) {
    return value(std::string_view{text});
  }
  json_writer& value(bool flag) {
    writer_.Bool(flag);
    return *this;
  }
  json_writer& value(std::int64_t number) {
    writer_.Int64(number);
    return *this;
  }
  json_writer& value(std::uint64_t number) {
    writer_.Uint64(number);
    return *this;
  }
  json_writer& value(int number) {
    return value(static_cast<std::int64_t>(number));
  }
  json_writer& value(unsigned number) {
    return value(static_cast<std::uint64_t>(number));
  }
  json_writer& value(double number) {
    writer_.Double(number);
    return *this;
  }
  json_writer& null() {
    writer_.Null();
    return *this;
  }
  /// Inserts an already-encoded JSON text as a value.
  json_writer& raw(std::string_view json) {
    writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  template <class T>
  json_writer& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  std::string str() const {
    return {buffer_.GetString(), buffer_.GetSize()};
  }

private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

} // namespace agenttheo
