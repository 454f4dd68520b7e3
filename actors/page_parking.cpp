#include "actors/page_parking.hpp"

#include <caf/all.hpp>

#include "browser/egress_policy.hpp"
#include "browser/page_scripts.hpp"
#include "config/log.hpp"
#include "messages/messages.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

void close_context(page_self self) {
  auto& st = self->state;
  self->send(st.browser, close_page_atom::value, st.handle->context_id,
             st.handle->cdp_target);
  *st.handle = page_handle{};
  st.loading = false;
  st.screencasting = false; // restarts with the next context
  st.stats->set_state("lent");
}

std::string context_filter(const std::string& context_id) {
  json_writer params;
  params.begin_object().field("browserContextId", context_id).end_object();
  return params.str();
}

/// Opens the saved address with the saved localStorage in place, then
/// takes the restoring script away again.
void reopen(page_self self, const storage_state& saved,
            std::function<void(tool_result)> done) {
  auto open = [self, saved, done](std::string script_id) {
    open_url(self, "reopened", saved.url, [self, script_id, done](tool_result opened) {
      if (!script_id.empty())
        cdp(self, "Page.removeScriptToEvaluateOnNewDocument",
            "{\"identifier\":" + quoted(script_id) + "}", [](cdp_result) {});
      done(std::move(opened));
    });
  };
  auto script = restore_script_params(saved);
  if (script.empty())
    return open({});
  cdp(self, "Page.addScriptToEvaluateOnNewDocument", script,
      [open](cdp_result added) {
        json_document doc{added.body};
        open(added.ok ? std::string{json_reader{doc}.text("identifier").value_or("")}
                      : std::string{});
      });
}

std::string reopened_note(const storage_state& saved, const tool_result& opened,
                          bool after_restart) {
  std::string why = after_restart
                      ? "the server restarted since this session's last run"
                      : "this session's browser context was lent to another "
                        "session while it was idle";
  auto what = std::to_string(saved.cookie_count)
              + (saved.cookie_count == 1 ? " cookie" : " cookies");
  if (saved.local_storage_count > 0)
    what += " and " + std::to_string(saved.local_storage_count)
            + " localStorage "
            + (saved.local_storage_count == 1 ? "entry" : "entries");
  if (!opened.ok)
    return why + "; its " + what + " are back, but " + opened.output;
  return why + "; reopened " + saved.url + " with its " + what;
}

} // namespace

void capture(page_self self, std::function<void(storage_state)> done) {
  auto context = self->state.handle->context_id;
  eval_text(self, page_scripts::call(page_scripts::storage_state, "null"),
            [self, context, done](tool_result page) {
              auto saved = page.ok ? read_page_state(page.output) : std::nullopt;
              browser_cdp(self, "Storage.getCookies", context_filter(context),
                          [saved, done](cdp_result cookies) mutable {
                            auto state = saved.value_or(storage_state{});
                            if (cookies.ok)
                              read_cookies(cookies.body, state);
                            done(std::move(state));
                          });
            });
}

void park(page_self self, std::function<void()> done) {
  if (!self->state.handle->ok)
    return done();
  capture(self, [self, done](storage_state state) {
    log(log_level::info, "session ", self->state.settings.session_id,
        " lent its browser context: it is idle and another session needs one");
    self->state.parked = std::move(state);
    close_context(self);
    done();
  });
}

void unpark(page_self self, std::function<void()> done) {
  auto& st = self->state;
  if (!st.parked)
    return done();
  auto saved = std::move(*st.parked);
  st.parked.reset();
  auto context = st.handle->context_id;
  auto tell = [self, saved, done](tool_result opened) {
    if (self->state.owner)
      self->send(self->state.owner, page_reopened_atom::value,
                 reopened_note(saved, opened, self->state.restarted));
    self->state.restarted = false;
    done();
  };
  auto then_open = [self, saved, tell, done](cdp_result) {
    if (!saved.has_page()) {
      if (saved.cookie_count == 0)
        return done(); // a blank page: nothing to say
      return tell(fail("it had no page open"));
    }
    if (auto refused = check_navigation(self->state.settings.policy, saved.url))
      return tell(fail(saved.url + " is refused now: " + *refused));
    reopen(self, saved, tell);
  };
  if (saved.cookie_count == 0)
    return then_open({true, {}});
  browser_cdp(self, "Storage.setCookies", set_cookies_params(saved, context),
              then_open);
}

} // namespace agenttheo
