#pragma once

// What a model's tokens cost: the LLM_PRICES file, JSON of the shape
// {"model": {"input_per_mtok": 2.5, "output_per_mtok": 10, "as_of": "..."}},
// US dollars per million tokens. A model is found by its exact name, else
// by the name after its provider's prefix ("gpt-4o" and "openai/gpt-4o"
// are one model).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace agenttheo {

struct model_price {
  double input_per_mtok = 0;
  double output_per_mtok = 0;

  double cost_usd(std::uint64_t prompt_tokens, std::uint64_t completion_tokens) const {
    return (static_cast<double>(prompt_tokens) * input_per_mtok
            + static_cast<double>(completion_tokens) * output_per_mtok)
           / 1e6;
  }
};

class price_table {
public:
  /// The table in `json`, or what is wrong with it.
  static std::variant<price_table, std::string> parse(std::string_view json);

  std::optional<model_price> find(std::string_view model) const;

  std::size_t size() const {
    return prices_.size();
  }

private:
  std::map<std::string, model_price, std::less<>> prices_;
};

} // namespace agenttheo
