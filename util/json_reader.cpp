#include "util/json_reader.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "util/utf8.hpp"

namespace agenttheo {

json_document::json_document(std::string_view text) {
  doc_.Parse(text.data(), text.size());
  object_ = !doc_.HasParseError() && doc_.IsObject();
  if (!object_)
    doc_.SetObject();
}

json_reader::json_reader(const rapidjson::Value& object)
  : object_(object.IsObject() ? &object : nullptr) {
}

const rapidjson::Value* json_reader::any(const char* name) const {
  if (!object_)
    return nullptr;
  auto i = object_->FindMember(name);
  return i == object_->MemberEnd() || i->value.IsNull() ? nullptr : &i->value;
}

const rapidjson::Value*
json_reader::typed(const char* name, bool (*is)(const rapidjson::Value&),
                   const char* must_be) {
  auto* v = any(name);
  if (v && !is(*v)) {
    if (!error_)
      error_ = std::string{name} + " must be " + must_be;
    return nullptr;
  }
  return v;
}

std::optional<std::string_view> json_reader::text(const char* name) {
  auto* v = typed(name, [](const rapidjson::Value& x) { return x.IsString(); },
                  "a string");
  if (!v)
    return std::nullopt;
  std::string_view text{v->GetString(), v->GetStringLength()};
  // RapidJSON 1.1.0 decodes a lone low surrogate (\uDC00-\uDFFF) into
  // bytes that are not UTF-8; text read here must be UTF-8 like the rest.
  if (!is_valid_utf8(text)) {
    if (!error_)
      error_ = std::string{name} + " must be text without lone \\u surrogates";
    return std::nullopt;
  }
  return text;
}

std::optional<std::uint64_t> json_reader::count(const char* name) {
  auto* v = typed(name, [](const rapidjson::Value& x) { return x.IsUint64(); },
                  "a non-negative integer");
  return v ? std::optional{v->GetUint64()} : std::nullopt;
}

std::optional<std::int64_t> json_reader::integer(const char* name) {
  auto* v = typed(name, [](const rapidjson::Value& x) { return x.IsInt64(); },
                  "an integer");
  return v ? std::optional{v->GetInt64()} : std::nullopt;
}

std::optional<double> json_reader::number(const char* name) {
  auto* v = typed(name, [](const rapidjson::Value& x) { return x.IsNumber(); },
                  "a number");
  return v ? std::optional{v->GetDouble()} : std::nullopt;
}

std::optional<bool> json_reader::boolean(const char* name) {
  auto* v = typed(name, [](const rapidjson::Value& x) { return x.IsBool(); },
                  "true or false");
  return v ? std::optional{v->GetBool()} : std::nullopt;
}

json_reader json_reader::object(const char* name) {
  static const rapidjson::Value empty{rapidjson::kObjectType};
  auto* v = typed(name, [](const rapidjson::Value& x) { return x.IsObject(); },
                  "an object");
  return json_reader{v ? *v : empty};
}

const rapidjson::Value* json_reader::array(const char* name) {
  return typed(name, [](const rapidjson::Value& x) { return x.IsArray(); },
               "an array");
}

std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buf};
  value.Accept(writer);
  return {buf.GetString(), buf.GetSize()};
}

} // namespace agenttheo
