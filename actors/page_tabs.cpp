#include "actors/page_tabs.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include <caf/all.hpp>

#include "messages/messages.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

using tab = page_state::tab;

/// A page target of the session's context, as Target.getTargets lists it.
struct target_seen {
  std::string id;
  std::string title;
  std::string url;
};

std::vector<target_seen> context_pages(const std::string& reply,
                                       const std::string& context_id) {
  std::vector<target_seen> pages;
  json_document doc{reply};
  const auto* infos = json_reader{doc}.array("targetInfos");
  if (!infos)
    return pages;
  for (const auto& info : infos->GetArray()) {
    json_reader t{info};
    if (t.text("type").value_or("") != "page"
        || t.text("browserContextId").value_or("") != context_id)
      continue;
    pages.push_back({std::string{t.text("targetId").value_or("")},
                     std::string{t.text("title").value_or("")},
                     std::string{t.text("url").value_or("")}});
  }
  return pages;
}

tab* find_tab(page_self self, std::uint32_t number) {
  for (auto& t : self->state.tabs)
    if (t.number == number)
      return &t;
  return nullptr;
}

std::string describe(const tab& t) {
  return "tab " + std::to_string(t.number) + ": \"" + t.title + "\" " + t.url;
}

/// Points the handle (and so every CDP call, the page's events and the
/// live view) at tab `number`.
void activate(page_self self, std::uint32_t number) {
  auto& st = self->state;
  auto* next = find_tab(self, number);
  if (!next || number == st.active_tab)
    return;
  // The live view leaves with the tab (sync_screencast below restarts it).
  if (st.screencasting) {
    cdp(self, "Page.stopScreencast", "{}", [](cdp_result) {});
    st.screencasting = false;
  }
  // Only the active tab's events reach this actor: its loads, dialogs
  // and frames are the ones that count.
  self->send(st.browser, listen_atom::value, st.handle->cdp_target, caf::actor{});
  st.handle->cdp_target = next->cdp_target;
  st.handle->target_id = next->target_id;
  st.active_tab = number;
  st.loading = false;
  st.refs.forget_all();
  self->send(st.browser, listen_atom::value, next->cdp_target, caf::actor{self});
  cdp(self, "Page.bringToFront", "{}", [](cdp_result) {});
  sync_screencast(self);
}

/// Attaches to a target of the context and adds it as a tab.
void adopt(page_self self, target_seen target, std::function<void(tab*)> then) {
  json_writer attach;
  attach.begin_object().field("targetId", target.id).field("flatten", true).end_object();
  browser_cdp(self, "Target.attachToTarget", attach.str(),
              [self, target, then](cdp_result r) {
                json_document doc{r.body};
                auto session = json_reader{doc}.text("sessionId");
                if (!r.ok || !session)
                  return then(nullptr);
                auto& st = self->state;
                st.tabs.push_back({st.next_tab_number++, target.id,
                                   std::string{*session}, target.title, target.url});
                auto number = st.tabs.back().number;
                // Its events (loads, dialogs) once it is the active tab.
                self
                  ->request(st.browser, st.settings.cdp_timeout,
                            cdp_call{std::string{*session}, "Page.enable", "{}"})
                  .then([self, number, then](cdp_result&) { then(find_tab(self, number)); },
                        [self, number, then](caf::error&) { then(find_tab(self, number)); });
              });
}

void close_target(page_self self, const std::string& target_id) {
  json_writer params;
  params.begin_object().field("targetId", target_id).end_object();
  browser_cdp(self, "Target.closeTarget", params.str(), [](cdp_result) {});
}

/// Adopts `fresh` one at a time; the last adopted becomes active.
void adopt_all(page_self self, std::shared_ptr<std::vector<target_seen>> fresh,
               std::size_t next, std::uint32_t newest, std::function<void()> then) {
  auto& st = self->state;
  if (next >= fresh->size()) {
    if (newest)
      activate(self, newest);
    return then();
  }
  auto target = (*fresh)[next];
  if (st.tabs.size() >= st.settings.max_tabs) {
    close_target(self, target.id);
    note(self, "closed a tab the page opened (" + target.url + "): the session has "
                 + std::to_string(st.settings.max_tabs) + " tabs (MAX_TABS)");
    return adopt_all(self, fresh, next + 1, newest, then);
  }
  adopt(self, target, [self, fresh, next, newest, then](tab* added) {
    if (added)
      note(self, "a new " + describe(*added) + " opened");
    adopt_all(self, fresh, next + 1, added ? added->number : newest, then);
  });
}

} // namespace

void reset_tabs(page_self self) {
  auto& st = self->state;
  st.tabs.clear();
  st.next_tab_number = 1;
  st.active_tab = 0;
  if (!st.handle->ok)
    return;
  st.tabs.push_back({st.next_tab_number++, st.handle->target_id,
                     st.handle->cdp_target, {}, {}});
  st.active_tab = st.tabs.back().number;
}

void sync_tabs(page_self self, std::function<void()> then) {
  browser_cdp(self, "Target.getTargets", "{}", [self, then](cdp_result r) {
    auto& st = self->state;
    if (!r.ok || !st.handle->ok)
      return then();
    auto pages = context_pages(r.body, st.handle->context_id);
    // Tabs the page closed (window.close()) are gone.
    auto gone = [&pages](const tab& t) {
      return std::none_of(pages.begin(), pages.end(),
                          [&t](const target_seen& p) { return p.id == t.target_id; });
    };
    // The page closed the active tab itself: the last other one shows.
    if (const auto* active = find_tab(self, st.active_tab); active && gone(*active))
      for (auto i = st.tabs.rbegin(); i != st.tabs.rend(); ++i)
        if (!gone(*i)) {
          activate(self, i->number);
          break;
        }
    st.tabs.erase(std::remove_if(st.tabs.begin(), st.tabs.end(), gone), st.tabs.end());
    auto fresh = std::make_shared<std::vector<target_seen>>();
    for (const auto& p : pages) {
      auto known = std::find_if(st.tabs.begin(), st.tabs.end(),
                                [&p](const tab& t) { return t.target_id == p.id; });
      if (known == st.tabs.end())
        fresh->push_back(p);
      else {
        known->title = p.title;
        known->url = p.url;
      }
    }
    adopt_all(self, fresh, 0, 0, then);
  });
}

void list_tabs(page_self self, tool_done done) {
  std::string out;
  for (const auto& t : self->state.tabs)
    out += (out.empty() ? "" : "\n") + describe(t)
           + (t.number == self->state.active_tab ? " (active)" : "");
  done(succeeded(out));
}

void switch_tab(page_self self, std::uint32_t number, tool_done done) {
  auto* t = find_tab(self, number);
  if (!t)
    return done(fail("there is no tab " + std::to_string(number) + "; list_tabs shows them"));
  activate(self, number);
  auto result = succeeded("switched to " + describe(*t));
  result.url = t->url;
  done(std::move(result));
}

void close_tab(page_self self, std::uint32_t number, tool_done done) {
  auto& st = self->state;
  auto* t = find_tab(self, number);
  if (!t)
    return done(fail("there is no tab " + std::to_string(number) + "; list_tabs shows them"));
  if (st.tabs.size() == 1)
    return done(fail("tab " + std::to_string(number)
                     + " is the session's only tab; open another first"));
  auto closed = describe(*t);
  auto target = t->target_id;
  if (number == st.active_tab)
    for (auto i = st.tabs.rbegin(); i != st.tabs.rend(); ++i)
      if (i->number != number) {
        activate(self, i->number);
        break;
      }
  st.tabs.erase(std::remove_if(st.tabs.begin(), st.tabs.end(),
                               [number](const tab& x) { return x.number == number; }),
                st.tabs.end());
  close_target(self, target);
  auto* now = find_tab(self, st.active_tab);
  done(succeeded("closed " + closed + "; the active tab is "
                 + (now ? describe(*now) : std::string{"none"})));
}

void open_tab(page_self self, const std::string& url, tool_done done) {
  auto& st = self->state;
  if (st.tabs.size() >= st.settings.max_tabs)
    return done(fail("the session has " + std::to_string(st.tabs.size())
                     + " tabs open, its most (MAX_TABS); close one first"));
  json_writer params;
  params.begin_object()
    .field("url", "about:blank")
    .field("browserContextId", st.handle->context_id)
    .end_object();
  browser_cdp(self, "Target.createTarget", params.str(),
              [self, url, done](cdp_result r) {
                json_document doc{r.body};
                auto id = json_reader{doc}.text("targetId");
                if (!r.ok || !id)
                  return done(fail("cannot open a tab: " + r.body));
                adopt(self, {std::string{*id}, {}, "about:blank"},
                      [self, url, done](tab* added) {
                        if (!added)
                          return done(fail("cannot attach to the new tab"));
                        activate(self, added->number);
                        open_url(self, "opened tab " + std::to_string(added->number)
                                         + " at", url, done);
                      });
              });
}

} // namespace agenttheo
