#include "config/price_table.hpp"

#include <cmath>

#include <rapidjson/document.h>

namespace agenttheo {

namespace {

std::string_view without_prefix(std::string_view model) {
  auto slash = model.rfind('/');
  return slash == std::string_view::npos ? model : model.substr(slash + 1);
}

/// A price: a finite number, not negative.
std::optional<double> price_of(const rapidjson::Value& entry, const char* name) {
  auto m = entry.FindMember(name);
  if (m == entry.MemberEnd() || !m->value.IsNumber())
    return std::nullopt;
  auto v = m->value.GetDouble();
  if (!std::isfinite(v) || v < 0)
    return std::nullopt;
  return v;
}

} // namespace

std::variant<price_table, std::string> price_table::parse(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    return std::string{"LLM_PRICES must be a JSON object of models"};
  price_table table;
  for (const auto& m : doc.GetObject()) {
    std::string model{m.name.GetString(), m.name.GetStringLength()};
    if (!m.value.IsObject())
      return "LLM_PRICES: " + model + " must be an object";
    auto input = price_of(m.value, "input_per_mtok");
    auto output = price_of(m.value, "output_per_mtok");
    if (!input || !output)
      return "LLM_PRICES: " + model
             + " needs input_per_mtok and output_per_mtok, numbers of at least 0";
    table.prices_[model] = {*input, *output};
  }
  return table;
}

std::optional<model_price> price_table::find(std::string_view model) const {
  if (auto exact = prices_.find(model); exact != prices_.end())
    return exact->second;
  // "gpt-4o" (OpenAI's name) is "openai/gpt-4o" (OpenRouter's), and the
  // other way round; the first such entry in name order answers.
  auto bare = without_prefix(model);
  for (const auto& [name, price] : prices_)
    if (without_prefix(name) == bare)
      return price;
  return std::nullopt;
}

} // namespace agenttheo
