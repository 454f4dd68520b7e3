#include "llm/offline_planner.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace agenttheo::offline_planner {

namespace {

constexpr std::string_view capabilities
  = "Commands I follow: go to <url> (also open, visit, navigate to); "
    "click <text or CSS selector>; type <text> into <field>, or fill <field> "
    "with <text>; press <key>; scroll down or up; go back; read the title; "
    "read the page; list the links; take a screenshot. Chain steps with "
    "\"then\", as in \"go to example.com then read the title\". For "
    "free-form requests, name a real model in config/.env (LLM_PROVIDER and "
    "its API key): it is one line away.";

constexpr std::array<std::string_view, 8> greetings = {
  "hi", "hello", "hey", "help", "what can you do", "who are you", "?", "start",
};

std::string normalized(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '?' || c == ' ')
      out += static_cast<char>(std::tolower(u));
  }
  auto first = out.find_first_not_of(' ');
  auto last = out.find_last_not_of(' ');
  return first == std::string::npos ? std::string{}
                                    : out.substr(first, last - first + 1);
}

bool is_greeting(std::string_view command) {
  auto text = normalized(command);
  while (!text.empty() && text.back() == '?')
    text.pop_back();
  return text.empty()
         || std::find(greetings.begin(), greetings.end(), text)
              != greetings.end();
}

} // namespace

std::string reply_to(std::string_view command) {
  std::string reply;
  if (is_greeting(command)) {
    reply = "Hello! I am AgentTheo's built-in offline planner: a rule-based "
            "stand-in for a language model that turns plain commands into "
            "browser steps. ";
  } else {
    reply = "I am AgentTheo's built-in offline planner, not a language model, "
            "and I found no command I can carry out in \"";
    reply += command;
    reply += "\". ";
  }
  reply += capabilities;
  return reply;
}

std::vector<std::string> split_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto word_end = text.find_first_of(" \n\t", pos);
    if (word_end == std::string_view::npos)
      word_end = text.size();
    auto next = text.find_first_not_of(" \n\t", word_end);
    if (next == std::string_view::npos)
      next = text.size();
    tokens.emplace_back(text.substr(pos, next - pos));
    pos = next;
  }
  return tokens;
}

} // namespace agenttheo::offline_planner
