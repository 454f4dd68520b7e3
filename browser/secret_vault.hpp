#pragma once

// The secrets a session's agent may type, and the two things done with
// them: filling `<secret:name>` placeholders for the page that gets them,
// and taking every value back out of whatever leaves the server (tool
// outputs, URLs, events), as `<secret:name>`.

#include <string>
#include <string_view>
#include <vector>

#include "util/secret.hpp"

namespace agenttheo {

/// What filling a text's placeholders gave.
struct secret_fill {
  bool ok = false;
  /// The text with the values in (ok), or why not: an unknown name, a
  /// host the secret may not be used on. Never a value.
  std::string text;
};

class secret_vault {
public:
  secret_vault() = default;
  /// `retired`: values no longer typed (a session replaced or removed
  /// them) that a page may still show, so still redacted and masked.
  explicit secret_vault(std::vector<secret> secrets, std::vector<secret> retired = {});

  /// Nothing to fill, redact or mask.
  bool empty() const {
    return plain_.empty();
  }

  const std::vector<secret>& secrets() const {
    return secrets_;
  }

  /// Whether `text` holds a `<secret:...>` placeholder.
  static bool has_placeholder(std::string_view text);

  /// `text` with each `<secret:name>` replaced by its value, when the page
  /// is on `host` and the secret may be used there.
  secret_fill fill(std::string_view text, std::string_view host) const;

  /// `text` with every value (longest first) replaced by `<secret:name>`.
  std::string redact(std::string_view text) const;

  /// Whether `text` holds any secret's value.
  bool holds_value(std::string_view text) const;

  /// The same for JSON text: also each value as JSON escapes it.
  std::string redact_json(std::string_view json) const;

  /// What the model is told: each placeholder and where it works.
  std::string prompt_lines() const;

  static bool host_allowed(const secret& s, std::string_view host);

private:
  std::vector<secret> secrets_;
  /// (value as it appears, placeholder), longest value first.
  std::vector<std::pair<std::string, std::string>> plain_;
  std::vector<std::pair<std::string, std::string>> escaped_;
};

} // namespace agenttheo
