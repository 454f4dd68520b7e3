#include "cli/interrupt_prompt.hpp"

#include <cctype>

#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo::cli {

namespace {

std::string decision(std::string_view name, const char* field = nullptr,
                     std::string_view value = {}, bool raw = false) {
  json_writer out;
  out.begin_object().field("decision", name);
  if (field) {
    out.key(field);
    if (raw)
      out.raw(value);
    else
      out.value(value);
  }
  out.end_object();
  return out.str();
}

/// One line from the person, without its newline; nullopt at EOF.
std::optional<std::string> read_line(prompt_io io, std::string_view prompt) {
  std::fprintf(io.out, "%.*s", static_cast<int>(prompt.size()), prompt.data());
  std::fflush(io.out);
  std::string line;
  for (int c; (c = std::fgetc(io.in)) != EOF;) {
    if (c == '\n')
      return line;
    line += static_cast<char>(c);
  }
  return line.empty() ? std::nullopt : std::optional<std::string>{line};
}

std::optional<std::string> ask_question(prompt_io io) {
  auto line = read_line(io, "answer (empty to decline)> ");
  if (!line)
    return std::nullopt;
  if (line->empty())
    return decision("reject");
  return decision("answer", "answer", *line);
}

std::optional<std::string> ask_edit(json_reader& in, prompt_io io) {
  while (true) {
    auto line = read_line(io, "new input as JSON> ");
    if (!line)
      return std::nullopt;
    if (json_document{*line}.parsed_object())
      return decision("edit", "input", *line, true);
    std::fprintf(io.out, "not a JSON object; try again (current: %s)\n",
                 to_json(*in.any("tool_input")).c_str());
  }
}

} // namespace

std::string automatic_decision(std::string_view interrupt_json) {
  json_document doc{interrupt_json};
  auto kind = json_reader{doc}.text("kind").value_or("");
  return kind == "approval" ? decision("approve") : decision("reject");
}

std::optional<std::string> ask_person(std::string_view interrupt_json, prompt_io io) {
  json_document doc{interrupt_json};
  json_reader in{doc};
  auto kind = std::string{in.text("kind").value_or("")};
  if (kind == "question")
    return ask_question(io);
  auto takeover = kind == "takeover";
  auto prompt = takeover ? "[r]eject (take the browser over in the web UI instead)> "
                         : "[a]pprove / [r]eject / [e]dit> ";
  while (true) {
    auto line = read_line(io, prompt);
    if (!line)
      return std::nullopt;
    auto choice = line->empty() ? ' ' : std::tolower(static_cast<unsigned char>((*line)[0]));
    if (choice == 'r') {
      auto why = read_line(io, "why not (optional)> ");
      return why && !why->empty() ? decision("reject", "message", *why) : decision("reject");
    }
    if (!takeover && choice == 'a')
      return decision("approve");
    if (!takeover && choice == 'e')
      return ask_edit(in, io);
  }
}

} // namespace agenttheo::cli
