#include "util/json_schema_check.hpp"

#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include "util/json_reader.hpp"

namespace agenttheo {

namespace {

using value = rapidjson::Value;

bool has_type(const value& v, std::string_view type) {
  if (type == "object")
    return v.IsObject();
  if (type == "string")
    return v.IsString();
  if (type == "integer")
    return v.IsInt64() || v.IsUint64();
  if (type == "number")
    return v.IsNumber();
  if (type == "boolean")
    return v.IsBool();
  if (type == "array")
    return v.IsArray();
  return true; // a type this checker does not know constrains nothing
}

const char* article(std::string_view type) {
  return type == "integer" || type == "object" || type == "array" ? "an " : "a ";
}

std::string where(const std::string& path) {
  return path.empty() ? "the input" : path;
}

std::optional<std::string> check(const value& schema, const value& v,
                                 const std::string& path);

std::optional<std::string> check_object(const value& schema, const value& v,
                                        const std::string& path) {
  auto props = schema.FindMember("properties");
  auto named = props != schema.MemberEnd() && props->value.IsObject();
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    std::string name{m->name.GetString(), m->name.GetStringLength()};
    auto child = path.empty() ? name : path + "." + name;
    if (!named || !props->value.HasMember(m->name))
      return child + ": not a parameter of this tool";
    if (auto why = check(props->value[m->name], m->value, child))
      return why;
  }
  auto required = schema.FindMember("required");
  if (required != schema.MemberEnd() && required->value.IsArray())
    for (const auto& name : required->value.GetArray())
      if (name.IsString() && !v.HasMember(name))
        return (path.empty() ? "" : path + ".") + name.GetString()
               + ": required";
  return std::nullopt;
}

std::optional<std::string> check(const value& schema, const value& v,
                                 const std::string& path) {
  if (!schema.IsObject())
    return std::nullopt;
  auto type = schema.FindMember("type");
  if (type != schema.MemberEnd() && type->value.IsString()
      && !has_type(v, type->value.GetString()))
    return where(path) + ": expected " + article(type->value.GetString())
           + type->value.GetString();
  auto choices = schema.FindMember("enum");
  if (choices != schema.MemberEnd() && choices->value.IsArray()) {
    bool listed = false;
    for (const auto& choice : choices->value.GetArray())
      listed = listed || choice == v;
    if (!listed)
      return where(path) + ": not one of " + to_json(choices->value);
  }
  if (v.IsObject())
    return check_object(schema, v, path);
  return std::nullopt;
}

} // namespace

std::optional<std::string> schema_mismatch(std::string_view schema_json,
                                           std::string_view value_json) {
  rapidjson::Document schema;
  schema.Parse(schema_json.data(), schema_json.size());
  rapidjson::Document v;
  v.Parse(value_json.data(), value_json.size());
  if (v.HasParseError())
    return std::string{"the input is not JSON"};
  if (schema.HasParseError())
    return std::nullopt;
  return check(schema, v, {});
}

std::optional<std::string> schema_violation(std::string_view schema_json,
                                            std::string_view value_json) {
  rapidjson::Document schema_doc;
  schema_doc.Parse(schema_json.data(), schema_json.size());
  if (schema_doc.HasParseError() || !schema_doc.IsObject())
    return std::string{"the schema is not a JSON object"};
  rapidjson::Document value;
  value.Parse(value_json.data(), value_json.size());
  if (value.HasParseError())
    return std::string{"the output is not JSON"};
  rapidjson::SchemaDocument schema{schema_doc};
  rapidjson::SchemaValidator validator{schema};
  if (value.Accept(validator))
    return std::nullopt;
  rapidjson::StringBuffer where;
  validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
  rapidjson::StringBuffer rule;
  validator.GetInvalidSchemaPointer().StringifyUriFragment(rule);
  std::string at = where.GetString();
  return "the output at " + (at == "#" ? std::string{"its top"} : at)
         + " fails the schema's `" + validator.GetInvalidSchemaKeyword() + "` (at "
         + rule.GetString() + ")";
}

} // namespace agenttheo
