#include "actors/client_quota.hpp"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "messages/messages.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

bool client_quota::may_open_session(const std::string& client) {
  if (limits_.max_sessions == 0)
    return true;
  auto& u = usage_[client];
  if (u.sessions < limits_.max_sessions)
    return true;
  ++u.refused;
  return false;
}

void client_quota::session_opened(const std::string& session,
                                  const std::string& client) {
  ++usage_[client].sessions;
  client_of_session_[session] = client;
}

void client_quota::session_closed(const std::string& session) {
  auto i = client_of_session_.find(session);
  if (i == client_of_session_.end())
    return;
  auto client = std::move(i->second);
  client_of_session_.erase(i);
  if (auto u = usage_.find(client); u != usage_.end() && u->second.sessions > 0)
    --u->second.sessions;
  prune(client, clock::now());
}

std::string client_quota::client_of(const std::string& session) const {
  auto i = client_of_session_.find(session);
  return i == client_of_session_.end() ? std::string{} : i->second;
}

std::uint32_t client_quota::take_run(const std::string& client,
                                     clock::time_point now) {
  if (limits_.runs_per_minute == 0)
    return 0;
  auto& u = usage_[client];
  if (!u.runs) {
    auto per_minute = static_cast<double>(limits_.runs_per_minute);
    u.runs.emplace(per_minute / 60.0, per_minute, now);
  }
  auto wait = u.runs->take(now);
  if (wait > 0)
    ++u.refused;
  // Clients that start runs on others' sessions hold none of their own:
  // sweep now and then, so the book stays as small as the activity.
  if (usage_.size() > sweep_above)
    sweep(now);
  return wait;
}

std::vector<client_usage_row> client_quota::top(std::size_t n, clock::time_point now) {
  sweep(now);
  std::vector<client_usage_row> rows;
  for (auto& [client, u] : usage_) {
    client_usage_row row{client, u.sessions, 0, u.refused};
    if (u.runs)
      row.recent_runs = static_cast<std::uint64_t>(u.runs->used(now) + 0.5);
    rows.push_back(std::move(row));
  }
  auto weight = [](const client_usage_row& r) {
    return std::tuple{r.sessions + r.recent_runs, r.refused};
  };
  std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    return weight(a) > weight(b);
  });
  if (rows.size() > n)
    rows.resize(n);
  return rows;
}

bool client_quota::forgettable(usage& u, clock::time_point now) {
  return u.sessions == 0 && (!u.runs || u.runs->full(now));
}

void client_quota::prune(const std::string& client, clock::time_point now) {
  auto i = usage_.find(client);
  if (i != usage_.end() && forgettable(i->second, now))
    usage_.erase(i);
}

void client_quota::sweep(clock::time_point now) {
  for (auto i = usage_.begin(); i != usage_.end();)
    i = forgettable(i->second, now) ? usage_.erase(i) : std::next(i);
}

std::string clients_json(client_quota& quota, const client_streams_view& streams) {
  constexpr std::size_t shown = 10;
  auto rows = quota.top(quota.clients(), client_quota::clock::now());
  std::unordered_map<std::string, std::uint64_t> open;
  for (std::size_t i = 0; i < streams.clients.size() && i < streams.streams.size(); ++i)
    open[streams.clients[i]] = streams.streams[i];
  for (const auto& [client, count] : open)
    if (std::none_of(rows.begin(), rows.end(),
                     [&](const auto& r) { return r.client == client; }))
      rows.push_back({client, 0, 0, 0});
  auto weight = [&](const client_usage_row& r) {
    auto s = open.find(r.client);
    return r.sessions + r.recent_runs + (s == open.end() ? 0 : s->second);
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const auto& a, const auto& b) { return weight(a) > weight(b); });
  const auto& limits = quota.limits();
  json_writer out;
  out.begin_object()
    .key("limits")
    .begin_object()
    .field("max_sessions", static_cast<std::uint64_t>(limits.max_sessions))
    .field("runs_per_minute", static_cast<std::uint64_t>(limits.runs_per_minute))
    .field("max_streams", static_cast<std::uint64_t>(limits.max_streams))
    .field("ws_messages_per_second",
           static_cast<std::uint64_t>(limits.ws_messages_per_second))
    .end_object()
    .field("count", static_cast<std::uint64_t>(rows.size()))
    .key("clients")
    .begin_array();
  for (std::size_t i = 0; i < rows.size() && i < shown; ++i) {
    auto s = open.find(rows[i].client);
    out.begin_object()
      .field("client", rows[i].client)
      .field("sessions", rows[i].sessions)
      .field("recent_runs", rows[i].recent_runs)
      .field("streams", s == open.end() ? std::uint64_t{0} : s->second)
      .field("refused", rows[i].refused)
      .end_object();
  }
  out.end_array().end_object();
  return out.str();
}

} // namespace agenttheo
