#pragma once

// A session's secrets: the server's (SECRETS_FILE) with the session's own
// over them by name (`POST`/`PATCH /api/sessions`). They live in the
// session's memory only — never stored, gone when the session ends.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "browser/secret_vault.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

class session_secrets {
public:
  session_secrets() = default;
  explicit session_secrets(std::shared_ptr<const secret_vault> server);

  /// Sets and removes the session's own; all or nothing. Why not (too
  /// many), in words that never include a value.
  std::optional<std::string> apply(secrets_patch patch);

  /// What fills, redacts and masks now; never null.
  const std::shared_ptr<const secret_vault>& vault() const {
    return vault_;
  }

  bool has_own() const {
    return !own_.empty();
  }

  /// `[{"name","hosts","from":"session"|"server"}]`, never a value.
  void write_list(json_writer& out) const {
    write_list(out, own_, *server_);
  }

  /// The same for `own` over `server`, without building a vault.
  static void write_list(json_writer& out, const std::vector<secret>& own,
                         const secret_vault& server);

private:
  void rebuild();

  std::shared_ptr<const secret_vault> server_ = std::make_shared<secret_vault>();
  std::vector<secret> own_;
  /// Values replaced or removed, still redacted: the page may show them.
  std::vector<secret> retired_;
  std::shared_ptr<const secret_vault> vault_ = server_;
};

} // namespace agenttheo
