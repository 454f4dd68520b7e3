#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "util/utf8.hpp"

namespace agenttheo {

namespace detail {

/// A rapidjson writer and the buffer it writes to. A json_writer borrows
/// the one its thread keeps, so a payload costs one allocation (the text
/// `str` returns) where a fresh pair cost five (the buffer's first block and
/// its growth, the writer's nesting stack, the copy): a streamed token's
/// payload is built for each token.
struct json_scratch {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
};

/// The thread's kept scratch, emptied, or a new one when it is lent out
/// (a writer inside another's lifetime).
json_scratch* borrow_json_scratch();
/// Keeps `scratch` for the thread's next writer, unless one is kept already
/// or it grew large (a conversation's text is not held for the thread).
void give_back_json_scratch(json_scratch* scratch) noexcept;

} // namespace detail

/// A thin, chainable wrapper over rapidjson's writer that produces one
/// compact JSON text (never a newline, so it fits in one SSE `data:` line).
class json_writer {
public:
  json_writer() : scratch_(detail::borrow_json_scratch()) {
  }
  ~json_writer() {
    detail::give_back_json_scratch(scratch_);
  }

  json_writer(const json_writer&) = delete;
  json_writer& operator=(const json_writer&) = delete;

  json_writer& begin_object() {
    writer().StartObject();
    return *this;
  }
  json_writer& end_object() {
    writer().EndObject();
    return *this;
  }
  json_writer& begin_array() {
    writer().StartArray();
    return *this;
  }
  json_writer& end_array() {
    writer().EndArray();
    return *this;
  }
  json_writer& key(std::string_view name) {
    writer().Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    return *this;
  }
  /// Text from outside (a model's, a page's) may not be UTF-8: what is
  /// written always is, invalid sequences as U+FFFD.
  json_writer& value(std::string_view text) {
    if (!is_valid_utf8(text)) {
      auto valid = to_valid_utf8(text);
      writer().String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
      return *this;
    }
    writer().String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return *this;
  }
  json_writer& value(const char* text) {
    return value(std::string_view{text});
  }
  json_writer& value(const std::string& text) {
    return value(std::string_view{text});
  }
  json_writer& value(bool flag) {
    writer().Bool(flag);
    return *this;
  }
  json_writer& value(std::int64_t number) {
    writer().Int64(number);
    return *this;
  }
  json_writer& value(std::uint64_t number) {
    writer().Uint64(number);
    return *this;
  }
  json_writer& value(int number) {
    return value(static_cast<std::int64_t>(number));
  }
  json_writer& value(unsigned number) {
    return value(static_cast<std::uint64_t>(number));
  }
  json_writer& value(double number) {
    writer().Double(number);
    return *this;
  }
  json_writer& null() {
    writer().Null();
    return *this;
  }
  /// Inserts an already-encoded JSON text as a value.
  json_writer& raw(std::string_view json) {
    writer().RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  template <class T>
  json_writer& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  std::string str() const {
    const auto& text = scratch_->buffer;
    return {text.GetString(), text.GetSize()};
  }

private:
  rapidjson::Writer<rapidjson::StringBuffer>& writer() {
    return scratch_->writer;
  }

  detail::json_scratch* scratch_;
};

} // namespace agenttheo
