#include "llm/delta_assembler.hpp"

#include <rapidjson/document.h>

#include "llm/content_chunk.hpp"

namespace agenttheo {

namespace {

/// More parallel calls than any provider makes; bounds what a broken or
/// hostile stream can make us allocate.
constexpr rapidjson::SizeType max_tool_calls = 64;

chunk_outcome malformed(std::string why) {
  return {chunk_outcome::kind::malformed, {}, std::move(why)};
}

std::string string_or_empty(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString())
    return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::string error_text(const rapidjson::Value& err) {
  if (err.IsString())
    return err.GetString();
  if (!err.IsObject())
    return "the provider reported an error";
  auto message = string_or_empty(err, "message");
  return message.empty() ? "the provider reported an error" : message;
}

bool apply_tool_deltas(const rapidjson::Value& deltas,
                       std::vector<tool_call>& calls) {
  if (!deltas.IsArray())
    return false;
  for (const auto& delta : deltas.GetArray()) {
    if (!delta.IsObject())
      return false;
    auto index_it = delta.FindMember("index");
    rapidjson::SizeType index = static_cast<rapidjson::SizeType>(calls.size());
    if (index_it != delta.MemberEnd()) {
      if (!index_it->value.IsUint())
        return false;
      index = index_it->value.GetUint();
    }
    if (index >= max_tool_calls)
      return false;
    if (calls.size() <= index)
      calls.resize(index + 1);
    auto& call = calls[index];
    if (auto id = string_or_empty(delta, "id"); !id.empty())
      call.id = id;
    auto fn = delta.FindMember("function");
    if (fn != delta.MemberEnd() && fn->value.IsObject()) {
      call.name += string_or_empty(fn->value, "name");
      call.arguments += string_or_empty(fn->value, "arguments");
    }
  }
  return true;
}

} // namespace

chunk_outcome delta_assembler::on_data(std::string_view data) {
  auto chunk = read_content_chunk(data);
  if (!chunk)
    return on_data_read_whole(data);
  if (chunk->finish_reason)
    finish_reason_ = std::move(chunk->finish_reason);
  content_ += chunk->content;
  return {chunk_outcome::kind::ok, std::move(chunk->content), {}};
}

chunk_outcome delta_assembler::on_data_read_whole(std::string_view data) {
  if (data == "[DONE]") {
    saw_done_ = true;
    return {chunk_outcome::kind::done, {}, {}};
  }
  rapidjson::Document doc;
  doc.Parse(data.data(), data.size());
  if (doc.HasParseError() || !doc.IsObject())
    return malformed("a stream chunk is not a JSON object");
  if (auto err = doc.FindMember("error"); err != doc.MemberEnd())
    return {chunk_outcome::kind::provider_error, {}, error_text(err->value)};
  if (auto usage = doc.FindMember("usage");
      usage != doc.MemberEnd() && usage->value.IsObject()) {
    token_usage u;
    auto& v = usage->value;
    if (v.HasMember("prompt_tokens") && v["prompt_tokens"].IsUint64())
      u.prompt_tokens = v["prompt_tokens"].GetUint64();
    if (v.HasMember("completion_tokens") && v["completion_tokens"].IsUint64())
      u.completion_tokens = v["completion_tokens"].GetUint64();
    usage_ = u;
  }
  auto choices = doc.FindMember("choices");
  if (choices == doc.MemberEnd())
    return {};
  if (!choices->value.IsArray())
    return malformed("`choices` is not an array");
  chunk_outcome outcome;
  for (const auto& choice : choices->value.GetArray()) {
    if (!choice.IsObject())
      return malformed("a choice is not an object");
    if (auto fr = choice.FindMember("finish_reason");
        fr != choice.MemberEnd() && fr->value.IsString())
      finish_reason_ = fr->value.GetString();
    auto delta = choice.FindMember("delta");
    if (delta == choice.MemberEnd() || !delta->value.IsObject())
      continue;
    outcome.content += string_or_empty(delta->value, "content");
    if (auto calls = delta->value.FindMember("tool_calls");
        calls != delta->value.MemberEnd() && !calls->value.IsNull()
        && !apply_tool_deltas(calls->value, tool_calls_))
      return malformed("`tool_calls` delta is not well-formed");
  }
  content_ += outcome.content;
  return outcome;
}

} // namespace agenttheo
