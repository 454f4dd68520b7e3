#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

#include <sys/stat.h>

#include "config/config_keys.hpp"
#include "config/price_table.hpp"
#include "util/url_parts.hpp"

namespace agenttheo {

namespace {

struct provider_defaults {
  const char* name;
  const char* provider;
  const char* base_url;
  const char* model;
};

// Names users may give, what they mean, and their defaults.
const provider_defaults known_providers[] = {
  {"planner", "planner", "", "agenttheo-offline-planner"},
  {"openrouter", "openrouter", "https://openrouter.ai/api/v1",
   "openai/gpt-4o-mini"},
  {"openai", "openai", "https://api.openai.com/v1", "gpt-4o-mini"},
  {"compatible", "compatible", "", ""},
  {"ollama", "compatible", "http://localhost:11434/v1", ""},
  {"llamacpp", "compatible", "http://localhost:8080/v1", "default"},
  {"vllm", "compatible", "http://localhost:8000/v1", ""},
};

/// Turns the LLM keys into settings: the provider (the planner unless a key
/// says otherwise), its base URL, model and key, or an error naming the key.
std::optional<config_error> resolve_llm(server_config& cfg) {
  auto name = cfg.llm_provider_key;
  if (name.empty())
    name = cfg.openrouter_api_key.empty() ? "planner" : "openrouter";
  const provider_defaults* known = nullptr;
  for (const auto& p : known_providers)
    if (name == p.name)
      known = &p;
  if (!known)
    return config_error{"LLM_PROVIDER: expected one of planner, openrouter, "
                        "openai, compatible, ollama, llamacpp, vllm, got '"
                        + name + "'"};
  auto& llm = cfg.llm;
  llm.provider = known->provider;
  if (llm.base_url.empty())
    llm.base_url = known->base_url;
  if (llm.model.empty())
    llm.model = known->model;
  if (llm.provider == "openrouter" && llm.api_key.empty())
    llm.api_key = cfg.openrouter_api_key;
  if (llm.is_planner())
    return std::nullopt;
  if (llm.base_url.empty())
    return config_error{"LLM_BASE_URL: required for LLM_PROVIDER=" + name};
  if (llm.model.empty())
    return config_error{"LLM_MODEL: required for LLM_PROVIDER=" + name};
  if (llm.api_key.empty() && llm.provider != "compatible")
    return config_error{std::string{llm.provider == "openrouter"
                                      ? "OPENROUTER_API_KEY"
                                      : "LLM_API_KEY"}
                        + ": required for LLM_PROVIDER=" + name};
  return std::nullopt;
}

/// The model's price from LLM_PRICES. The file that ships with the server
/// may be missing (the binary run from elsewhere): then no cost is
/// reckoned. A file the configuration names must be there and valid.
std::optional<config_error> resolve_price(server_config& cfg) {
  if (cfg.llm.is_planner())
    return std::nullopt;
  std::ifstream in{cfg.llm_prices, std::ios::binary};
  if (!in) {
    if (cfg.llm_prices == default_llm_prices)
      return std::nullopt;
    return config_error{"LLM_PRICES: cannot read " + cfg.llm_prices};
  }
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  auto parsed = price_table::parse(text);
  if (auto* err = std::get_if<std::string>(&parsed))
    return config_error{*err + " (" + cfg.llm_prices + ")"};
  cfg.llm.price = std::get<price_table>(parsed).find(cfg.llm.model);
  return std::nullopt;
}

/// The secrets of SECRETS_FILE. A file others may read is refused: its
/// values are exactly what must stay private.
std::optional<config_error> resolve_secrets(server_config& cfg) {
  if (cfg.secrets_file.empty())
    return std::nullopt;
  struct stat info {};
  if (::stat(cfg.secrets_file.c_str(), &info) != 0)
    return config_error{"SECRETS_FILE: cannot read " + cfg.secrets_file};
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return config_error{"SECRETS_FILE: " + cfg.secrets_file
                        + " may be read by others; chmod 600 it"};
  std::ifstream in{cfg.secrets_file, std::ios::binary};
  if (!in)
    return config_error{"SECRETS_FILE: cannot read " + cfg.secrets_file};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  auto parsed = parse_secrets(text);
  if (auto* err = std::get_if<std::string>(&parsed))
    return config_error{"SECRETS_FILE: " + *err};
  cfg.secrets = std::get<std::vector<secret>>(std::move(parsed));
  return std::nullopt;
}

/// WORKER_TLS_CERT, _KEY and _CA: all three or none, each a readable file.
std::optional<config_error> check_tls_files(const server_config& cfg) {
  std::pair<const char*, const std::string*> files[] = {
    {"WORKER_TLS_CERT", &cfg.tls_certificate},
    {"WORKER_TLS_KEY", &cfg.tls_key},
    {"WORKER_TLS_CA", &cfg.tls_ca}};
  auto given = 0;
  for (const auto& [key, path] : files)
    given += path->empty() ? 0 : 1;
  if (given == 0)
    return std::nullopt;
  if (given != 3)
    return config_error{"WORKER_TLS_CERT, WORKER_TLS_KEY and WORKER_TLS_CA "
                        "go together: give all three or none"};
  for (const auto& [key, path] : files)
    if (!std::ifstream{*path})
      return config_error{std::string{key} + ": cannot read '" + *path + "'"};
  return std::nullopt;
}

const config_key* find_key(std::string_view name) {
  for (const auto& key : config_keys())
    if (name == key.name)
      return &key;
  return nullptr;
}

std::string flag_of(std::string_view key) {
  std::string flag = "--";
  for (char c : key)
    flag += c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return flag;
}

const config_key* find_flag(std::string_view flag) {
  for (const auto& key : config_keys())
    if (flag == flag_of(key.name))
      return &key;
  return nullptr;
}

std::optional<config_error> apply(server_config& cfg, const config_key& key,
                                  std::string_view value,
                                  std::string_view source) {
  if (auto expected = key.apply(cfg, value))
    return config_error{std::string{key.name} + " (" + std::string{source}
                        + "): expected " + *expected + ", got '"
                        + std::string{value} + "'"};
  return std::nullopt;
}

/// `  --flag VALUE   help (default: x)`, the help column aligned.
std::string help_line(std::string_view flag, std::string_view help,
                      const std::string& value, std::size_t width) {
  std::string line = "  " + std::string{flag} + " VALUE";
  line.resize(std::max(line.size() + 2, width), ' ');
  line += help;
  if (!value.empty())
    line += " (default: " + value + ")";
  return line + "\n";
}

std::string help_text() {
  std::string text = "usage: agenttheo serve [flags]\n"
                     "       agenttheo worker --listen PORT [flags]\n\n"
                     "Every flag is also a key in config/.env and an "
                     "environment variable\n(--event-log-max-events is "
                     "EVENT_LOG_MAX_EVENTS). Flags win over the\nenvironment, "
                     "which wins over config/.env.\n";
  std::size_t width = 0;
  for (const auto& key : config_keys())
    width = std::max(width, flag_of(key.name).size() + 10);
  const server_config defaults;
  text += "\nFiles\n";
  text
    += help_line("--env-file", ".env file to read", defaults.env_file, width);
  for (auto group :
       {config_group::server, config_group::streams, config_group::llm,
        config_group::browser, config_group::admin, config_group::cluster}) {
    text += "\n" + std::string{to_string(group)} + "\n";
    for (const auto& key : config_keys())
      if (key.group == group)
        text
          += help_line(flag_of(key.name), key.help, key.show(defaults), width);
  }
  return text;
}

/// Flags as (flag, value) pairs; `--env-file` and `--help` included.
std::variant<std::vector<std::pair<std::string, std::string>>, config_error>
split_flags(const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      flags.emplace_back("--help", "");
      continue;
    }
    if (arg.rfind("--", 0) != 0)
      return config_error{"unexpected argument '" + arg + "'"};
    if (auto eq = arg.find('='); eq != std::string::npos) {
      flags.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    } else if (i + 1 < args.size()) {
      flags.emplace_back(arg, args[++i]);
    } else {
      return config_error{"flag " + arg + " needs a value"};
    }
  }
  return flags;
}

std::string unquote(std::string value) {
  if (value.size() >= 2
      && ((value.front() == '"' && value.back() == '"')
          || (value.front() == '\'' && value.back() == '\'')))
    return value.substr(1, value.size() - 2);
  // An unquoted value may carry a trailing comment.
  if (auto hash = value.find(" #"); hash != std::string::npos)
    value = trim(value.substr(0, hash));
  return value;
}

} // namespace

std::variant<std::vector<std::pair<std::string, std::string>>, config_error>
parse_env_text(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> entries;
  std::istringstream in{text};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto content = trim(line);
    if (content.empty() || content.front() == '#')
      continue;
    if (content.rfind("export ", 0) == 0)
      content = trim(content.substr(7));
    auto eq = content.find('=');
    if (eq == std::string::npos || eq == 0)
      return config_error{"line " + std::to_string(number)
                          + ": expected KEY=VALUE, got '" + content + "'"};
    entries.emplace_back(trim(content.substr(0, eq)),
                         unquote(trim(content.substr(eq + 1))));
  }
  return entries;
}

config_result load_config(const std::vector<std::string>& args,
                          const env_lookup& getenv) {
  auto split = split_flags(args);
  if (auto* err = std::get_if<config_error>(&split))
    return *err;
  auto& flags = std::get<0>(split);
  server_config cfg;
  bool env_file_named = false;
  if (auto* path = getenv("AGENTTHEO_ENV_FILE")) {
    cfg.env_file = path;
    env_file_named = true;
  }
  for (const auto& [flag, value] : flags) {
    if (flag == "--help")
      return config_help{help_text()};
    if (flag == "--env-file") {
      cfg.env_file = value;
      env_file_named = true;
    }
  }
  // Layer 2: the .env file. A missing default file is fine; a missing file
  // that was named explicitly is not.
  if (std::ifstream file{cfg.env_file}; file) {
    std::stringstream text;
    text << file.rdbuf();
    auto parsed = parse_env_text(text.str());
    if (auto* err = std::get_if<config_error>(&parsed))
      return config_error{cfg.env_file + ": " + err->message};
    for (const auto& [name, value] : std::get<0>(parsed)) {
      // Unknown keys belong to other parts of the product (LLM keys, ...).
      if (const auto* key = find_key(name))
        if (auto err = apply(cfg, *key, value, cfg.env_file))
          return *err;
    }
  } else if (env_file_named) {
    return config_error{"cannot read env file '" + cfg.env_file + "'"};
  }
  // Layer 3: the environment.
  for (const auto& key : config_keys())
    if (const char* value = getenv(std::string{key.name}.c_str()))
      if (auto err = apply(cfg, key, value, "environment"))
        return *err;
  // Layer 4: flags.
  for (const auto& [flag, value] : flags) {
    if (flag == "--env-file")
      continue;
    const auto* key = find_flag(flag);
    if (!key)
      return config_error{"unknown flag " + flag + " (see --help)"};
    if (auto err = apply(cfg, *key, value, flag))
      return *err;
  }
  if (auto err = resolve_llm(cfg))
    return *err;
  if (auto err = resolve_price(cfg))
    return *err;
  if (auto err = resolve_secrets(cfg))
    return *err;
  if (cfg.admin_token.empty() && !is_loopback_host(cfg.host))
    return config_error{"ADMIN_TOKEN: required when HOST is not a loopback "
                        "address (HOST is '" + cfg.host
                        + "'): without it anyone who can reach the server "
                          "could cancel its sessions"};
  if (cfg.api_token.empty() && !cfg.allow_anonymous_runs
      && !is_loopback_host(cfg.host))
    return config_error{"API_TOKEN: required when HOST is not a loopback "
                        "address (HOST is '" + cfg.host
                        + "'): without it anyone who can reach the server "
                          "could run agents and their browser; set "
                          "ALLOW_ANONYMOUS_RUNS=true if that is what you want"};
  if (auto err = check_tls_files(cfg))
    return *err;
  if (cfg.cluster_secret.empty() && !cfg.cluster_tls()
      && !is_loopback_host(cfg.worker_bind))
    return config_error{"CLUSTER_SECRET: required (or WORKER_TLS_*) when "
                        "WORKER_BIND is not a loopback address (WORKER_BIND is '"
                        + cfg.worker_bind
                        + "'): without it anyone who can reach the worker "
                          "port could run sessions on it"};
  if (cfg.worker_timeout <= cfg.worker_heartbeat)
    return config_error{"WORKER_TIMEOUT: must be longer than WORKER_HEARTBEAT"};
  return cfg;
}

} // namespace agenttheo
