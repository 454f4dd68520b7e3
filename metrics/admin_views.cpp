// The admin views of a registry snapshot: the actor tree and stats as JSON,
// and the Prometheus exposition. Plain C++, so they are tested without actors.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <sstream>
#include <string_view>

#include "metrics/admin_snapshot.hpp"
#include "metrics/runtime_metrics.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

std::uint64_t load(const std::atomic<std::uint64_t>& x) {
  return x.load(std::memory_order_relaxed);
}

std::int64_t load(const std::atomic<std::int64_t>& x) {
  return x.load(std::memory_order_relaxed);
}

/// How each process total is shown: in the stats JSON (a key, within a
/// group when it has one) and in `/metrics` (a family, with a label when the
/// family has several). In counter order, which is the order of both views.
struct counter_view {
  counter id;
  const char* group;  // nullptr: a top-level key of `totals`
  const char* key;
  const char* family;
  const char* label;  // nullptr: the family's only sample
  const char* help;
  /// The counter over this is the value shown (a cost kept in billionths).
  double scale = 1;
};

constexpr const char* opened = "agenttheo_stream_connections_opened_total";
constexpr const char* tool_calls = "agenttheo_tool_calls_total";
constexpr const char* runs = "agenttheo_runs_total";
constexpr const char* decided = "agenttheo_interrupts_decided_total";
constexpr const char* llm_tokens = "agenttheo_llm_tokens_total";
constexpr const char* llm_transfers = "agenttheo_llm_transfers_total";
constexpr const char* llm_transfers_help
  = "LLM HTTP transfers started: plain http:// read on the I/O threads' own "
    "sockets, or through curl (https, a proxy, or the curl thread).";
constexpr const char* io_helpers = "agenttheo_io_helper_changes_total";
constexpr const char* io_helpers_help
  = "I/O threads beyond each context's first, admitted when their context "
    "got busy and parked again when it did not need them "
    "(IO_THREADS_ON_DEMAND).";
constexpr const char* io_pins = "agenttheo_io_pin_changes_total";
constexpr const char* io_pins_help
  = "The I/O threads unpinned while another process kept one of their CPUs "
    "busy, and pinned again (IO_THREAD_CPUS=auto).";
constexpr const char* llm_tokens_help
  = "LLM tokens: streamed as they came, and prompt and completion as the "
    "providers counted them.";

constexpr counter_view counter_views[] = {
  {counter::sessions_created, nullptr, "sessions_created",
   "agenttheo_sessions_created_total", nullptr, "Sessions created."},
  {counter::connections_opened_sse, nullptr, "connections_sse", opened,
   "transport=\"sse\"", "Stream connections opened."},
  {counter::connections_opened_ws, nullptr, "connections_websocket", opened,
   "transport=\"websocket\"", "Stream connections opened."},
  {counter::events_sent, nullptr, "events_sent", "agenttheo_events_sent_total",
   nullptr, "Events handed to stream sockets."},
  {counter::bytes_sent, nullptr, "bytes_sent", "agenttheo_bytes_sent_total",
   nullptr, "Bytes written to stream sockets."},
  {counter::events_ahead_of_round, nullptr, "events_ahead_of_round",
   "agenttheo_events_ahead_of_round_total", nullptr,
   "Events written with an earlier delivery round than their own, published "
   "while it was being written."},
  {counter::slow_consumer_drops, nullptr, "slow_consumer_drops",
   "agenttheo_slow_consumer_drops_total", nullptr,
   "Connections dropped for falling behind."},
  {counter::frames_dropped, nullptr, "frames_dropped",
   "agenttheo_screencast_frames_dropped_total", nullptr,
   "Live-view frames dropped behind slow sockets."},
  {counter::resumes, nullptr, "resumes", "agenttheo_resumes_total", nullptr,
   "Streams resumed from an event id."},
  {counter::gaps, nullptr, "gaps", "agenttheo_gaps_total", nullptr,
   "Resumes that found events already trimmed."},
  {counter::llm_calls, nullptr, "llm_calls", "agenttheo_llm_calls_total",
   nullptr, "LLM calls started."},
  {counter::llm_transfers_plain, nullptr, "llm_transfers_plain", llm_transfers,
   "client=\"plain\"", llm_transfers_help},
  {counter::llm_transfers_curl, nullptr, "llm_transfers_curl", llm_transfers,
   "client=\"curl\"", llm_transfers_help},
  {counter::llm_tokens, nullptr, "llm_tokens", llm_tokens, "kind=\"streamed\"",
   llm_tokens_help},
  {counter::llm_prompt_tokens, nullptr, "llm_prompt_tokens", llm_tokens,
   "kind=\"prompt\"", llm_tokens_help},
  {counter::llm_completion_tokens, nullptr, "llm_completion_tokens", llm_tokens,
   "kind=\"completion\"", llm_tokens_help},
  {counter::llm_cost_nano_usd, nullptr, "llm_cost_usd",
   "agenttheo_llm_cost_usd_total", nullptr,
   "What LLM calls cost, in US dollars (models with a price in LLM_PRICES).",
   1e9},
  {counter::llm_errors, nullptr, "llm_errors", "agenttheo_llm_errors_total",
   nullptr, "LLM calls that failed."},
  {counter::tools_ok, "tool_calls", "ok", tool_calls, "outcome=\"ok\"",
   "Tool calls finished, by outcome."},
  {counter::tools_failed, "tool_calls", "failed", tool_calls,
   "outcome=\"failed\"", "Tool calls finished, by outcome."},
  {counter::tools_timed_out, "tool_calls", "timeout", tool_calls,
   "outcome=\"timeout\"", "Tool calls finished, by outcome."},
  {counter::tools_cancelled, "tool_calls", "cancelled", tool_calls,
   "outcome=\"cancelled\"", "Tool calls finished, by outcome."},
  {counter::runs_succeeded, "runs", "success", runs, "outcome=\"success\"",
   "Runs ended, by outcome."},
  {counter::runs_failed, "runs", "failed", runs, "outcome=\"failed\"",
   "Runs ended, by outcome."},
  {counter::runs_max_steps, "runs", "max_steps", runs, "outcome=\"max_steps\"",
   "Runs ended, by outcome."},
  {counter::runs_cancelled, "runs", "cancelled", runs, "outcome=\"cancelled\"",
   "Runs ended, by outcome."},
  {counter::admin_actions, nullptr, "admin_actions",
   "agenttheo_admin_actions_total", nullptr, "Admin actions taken."},
  {counter::interrupts_opened, nullptr, "interrupts_opened",
   "agenttheo_interrupts_opened_total", nullptr,
   "Interrupts opened: approvals, questions, takeovers."},
  {counter::interrupts_approved, "interrupts", "approve", decided,
   "decision=\"approve\"", "Interrupts decided, by decision."},
  {counter::interrupts_rejected, "interrupts", "reject", decided,
   "decision=\"reject\"", "Interrupts decided, by decision."},
  {counter::interrupts_edited, "interrupts", "edit", decided,
   "decision=\"edit\"", "Interrupts decided, by decision."},
  {counter::interrupts_answered, "interrupts", "answer", decided,
   "decision=\"answer\"", "Interrupts decided, by decision."},
  {counter::interrupts_timed_out, "interrupts", "timeout", decided,
   "decision=\"timeout\"", "Interrupts decided, by decision."},
  {counter::interrupts_cancelled, "interrupts", "cancelled", decided,
   "decision=\"cancelled\"", "Interrupts decided, by decision."},
  {counter::io_helpers_joined, "io_helpers", "joined", io_helpers,
   "change=\"joined\"", io_helpers_help},
  {counter::io_helpers_left, "io_helpers", "left", io_helpers,
   "change=\"left\"", io_helpers_help},
  {counter::io_threads_unpinned, "io_pins", "unpinned", io_pins,
   "change=\"unpinned\"", io_pins_help},
  {counter::io_threads_pinned, "io_pins", "pinned", io_pins,
   "change=\"pinned\"", io_pins_help},
};

constexpr bool in_counter_order() {
  for (std::size_t i = 0; i < std::size(counter_views); ++i)
    if (static_cast<std::size_t>(counter_views[i].id) != i)
      return false;
  return std::size(counter_views) == counter_count;
}

static_assert(in_counter_order(), "every counter is shown once, in counter order");

bool is_connection(std::string_view kind) {
  return kind == "sse_connection" || kind == "ws_connection"
         || kind == "ws_subscription" || kind == "admin_stream";
}

/// One actor's fields, without its children.
void write_actor(json_writer& out, const actor_record& a, std::int64_t now_ms) {
  const auto& s = *a.stats;
  out.field("actor", a.id)
    .field("kind", a.kind)
    .field("name", a.name)
    .field("state", s.state.load(std::memory_order_relaxed))
    .field("started_at", a.started_ms)
    .field("age_ms", now_ms - a.started_ms)
    .field("messages", load(s.messages));
  if (!a.parent.empty())
    out.field("parent", a.parent);
  if (!a.title.empty())
    out.field("title", a.title);
  if (a.owner != 0)
    out.field("owner", a.owner);
  if (is_connection(a.kind))
    out.field("bytes_sent", load(s.bytes_sent))
      .field("events_sent", load(s.events_sent))
      .field("queued_bytes", load(s.queued_bytes))
      .field("drops", load(s.drops));
  if (a.kind == "llm_call") {
    out.field("tokens", load(s.tokens));
    auto ttft = load(s.first_token_us);
    if (ttft >= 0)
      out.field("first_token_ms", static_cast<double>(ttft) / 1000.0);
  }
  if (a.kind == "tool_call" && load(s.duration_ms) >= 0)
    out.field("duration_ms", load(s.duration_ms));
}

double per_second(std::uint64_t later, std::uint64_t earlier, std::int64_t ms) {
  return ms <= 0 ? 0.0
                 : static_cast<double>(later - earlier) * 1000.0
                     / static_cast<double>(ms);
}

/// Rates between two samples: events, bytes, tokens per second.
void write_rates(json_writer& out, const totals_sample& a, const totals_sample& b) {
  auto ms = b.at_ms - a.at_ms;
  out.begin_object()
    .field("events_per_s", per_second(b[counter::events_sent], a[counter::events_sent], ms))
    .field("bytes_per_s", per_second(b[counter::bytes_sent], a[counter::bytes_sent], ms))
    .field("tokens_per_s", per_second(b[counter::llm_tokens], a[counter::llm_tokens], ms))
    .field("drops_per_s", per_second(b[counter::slow_consumer_drops],
                                     a[counter::slow_consumer_drops], ms))
    .end_object();
}

void write_percentiles(json_writer& out, const latency_histogram::snapshot& h) {
  out.begin_object()
    .field("count", h.count)
    .field("p50_ms", h.quantile(0.50) * 1000)
    .field("p90_ms", h.quantile(0.90) * 1000)
    .field("p99_ms", h.quantile(0.99) * 1000)
    .field("p999_ms", h.quantile(0.999) * 1000)
    .end_object();
}

void write_totals(json_writer& out, const totals_sample& t) {
  out.begin_object();
  const char* group = nullptr;
  for (const auto& v : counter_views) {
    if (group && (!v.group || std::string_view{group} != v.group))
      out.end_object();
    if (v.group && (!group || std::string_view{group} != v.group))
      out.key(v.group).begin_object();
    group = v.group;
    if (v.scale != 1)
      out.field(v.key, static_cast<double>(t[v.id]) / v.scale);
    else
      out.field(v.key, t[v.id]);
  }
  if (group)
    out.end_object();
  out.end_object();
}

/// Connections with the most bytes waiting behind their socket.
void write_slowest(json_writer& out, const std::vector<actor_record>& actors,
                   std::int64_t now_ms) {
  std::vector<const actor_record*> conns;
  for (auto& a : actors)
    if (a.kind == "sse_connection" || a.kind == "ws_connection")
      conns.push_back(&a);
  std::sort(conns.begin(), conns.end(), [](auto* x, auto* y) {
    return load(x->stats->queued_bytes) > load(y->stats->queued_bytes);
  });
  out.begin_array();
  for (std::size_t i = 0; i < conns.size() && i < 5; ++i) {
    out.begin_object();
    write_actor(out, *conns[i], now_ms);
    out.end_object();
  }
  out.end_array();
}

} // namespace

totals_sample sample_totals(std::int64_t now_ms) {
  auto& m = process_metrics();
  totals_sample t;
  t.at_ms = now_ms;
  for (std::size_t i = 0; i < counter_count; ++i)
    t.counts[i] = m.counters.read(i);
  t.delivery = m.delivery.read();
  t.first_token = m.first_token.read();
  t.first_token_added = m.first_token_added.read();
  return t;
}

live_gauges count_live(const std::vector<actor_record>& actors) {
  live_gauges g;
  g.actors = actors.size();
  for (auto& a : actors) {
    std::string_view state = a.stats->state.load(std::memory_order_relaxed);
    if (a.kind == "session") {
      ++g.sessions;
      g.sessions_running += state == "running";
    } else if (a.kind == "sse_connection") {
      ++g.sse_connections;
      g.queued_bytes += load(a.stats->queued_bytes);
    } else if (a.kind == "ws_connection") {
      ++g.ws_connections;
      g.queued_bytes += load(a.stats->queued_bytes);
    } else if (a.kind == "llm_call") {
      ++g.llm_calls;
    } else if (a.kind == "tool_call") {
      ++g.tool_calls;
    } else if (a.kind == "page") {
      g.browser_contexts += state == "open";
    } else if (a.kind == "browser") {
      g.browser_spares += load(a.stats->spares);
    }
  }
  return g;
}

std::string actors_json(const admin_snapshot& snap) {
  std::map<std::string, std::vector<const actor_record*>> children;
  std::vector<const actor_record*> sessions, sockets, runtime;
  for (auto& a : snap.actors) {
    if (a.kind == "session")
      sessions.push_back(&a);
    else if (!a.parent.empty())
      children[a.parent].push_back(&a);
    else if (a.kind == "sse_connection" || a.kind == "ws_connection")
      sockets.push_back(&a);
    else
      runtime.push_back(&a);
  }
  auto by_age = [](auto* x, auto* y) { return x->id < y->id; };
  std::sort(sessions.begin(), sessions.end(), by_age);
  json_writer out;
  out.begin_object().key("sessions").begin_array();
  for (auto* s : sessions) {
    out.begin_object();
    write_actor(out, *s, snap.now_ms);
    out.key("children").begin_array();
    auto& kids = children[s->name];
    std::sort(kids.begin(), kids.end(), by_age);
    for (auto* c : kids) {
      out.begin_object();
      write_actor(out, *c, snap.now_ms);
      out.end_object();
    }
    out.end_array().end_object();
  }
  out.end_array().key("connections").begin_array();
  // WebSockets (whose subscriptions sit under their sessions), and streams
  // not yet attached to a session.
  std::sort(sockets.begin(), sockets.end(), by_age);
  for (auto* c : sockets) {
    out.begin_object();
    write_actor(out, *c, snap.now_ms);
    out.key("subscriptions").begin_array();
    for (auto& a : snap.actors)
      if (a.owner == c->id)
        out.value(a.id);
    out.end_array().end_object();
  }
  out.end_array().key("runtime").begin_array();
  std::sort(runtime.begin(), runtime.end(), by_age);
  for (auto* r : runtime) {
    out.begin_object();
    write_actor(out, *r, snap.now_ms);
    out.end_object();
  }
  out.end_array().field("count", static_cast<std::uint64_t>(snap.actors.size()));
  out.field("at", snap.now_ms).end_object();
  return out.str();
}

std::string stats_json(const admin_snapshot& snap) {
  const auto& g = snap.live;
  json_writer out;
  out.begin_object()
    .field("at", snap.now_ms)
    .field("uptime_s", static_cast<double>(snap.now_ms - snap.started_ms) / 1000.0)
    .key("live")
    .begin_object()
    .field("actors", static_cast<std::uint64_t>(g.actors))
    .field("sessions", static_cast<std::uint64_t>(g.sessions))
    .field("sessions_running", static_cast<std::uint64_t>(g.sessions_running))
    .key("connections")
    .begin_object()
    .field("sse", static_cast<std::uint64_t>(g.sse_connections))
    .field("websocket", static_cast<std::uint64_t>(g.ws_connections))
    .end_object()
    .field("llm_calls", static_cast<std::uint64_t>(g.llm_calls))
    .field("tool_calls", static_cast<std::uint64_t>(g.tool_calls))
    .field("browser_contexts", static_cast<std::uint64_t>(g.browser_contexts))
    .field("browser_contexts_spare", static_cast<std::uint64_t>(g.browser_spares))
    .field("queued_bytes", g.queued_bytes)
    .end_object();
  if (snap.history.empty())
    return out.end_object().str();
  const auto& now = snap.history.back();
  const auto& before = snap.history.size() > 1 ? snap.history[snap.history.size() - 2]
                                                : now;
  const auto& oldest = snap.history.front();
  out.key("totals");
  write_totals(out, now);
  out.key("rates");
  write_rates(out, before, now);
  // Per-second history for the console's charts, oldest first.
  out.key("history").begin_array();
  for (std::size_t i = 1; i < snap.history.size(); ++i)
    write_rates(out, snap.history[i - 1], snap.history[i]);
  out.end_array();
  out.key("latency").begin_object().key("window_s").value(
    static_cast<double>(now.at_ms - oldest.at_ms) / 1000.0);
  out.key("delivery");
  write_percentiles(out, now.delivery.since(oldest.delivery));
  out.key("first_token");
  write_percentiles(out, now.first_token.since(oldest.first_token));
  out.key("first_token_added");
  write_percentiles(out, now.first_token_added.since(oldest.first_token_added));
  out.end_object();
  out.key("slowest_connections");
  write_slowest(out, snap.actors, snap.now_ms);
  out.key("recent_errors").begin_array();
  for (auto i = snap.errors.rbegin(); i != snap.errors.rend(); ++i)
    out.begin_object()
      .field("at", i->at_ms)
      .field("session", i->session)
      .field("messageId", i->message_id)
      .field("code", i->code)
      .field("message", i->message)
      .end_object();
  out.end_array();
  return out.end_object().str();
}

// -- Prometheus ---------------------------------------------------------------

namespace {

/// The shortest text that reads back as `x` (`0.0005`, not
/// `0.00050000000000000001`).
std::string number(double x) {
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x)
      break;
  }
  return buf;
}

class exposition {
public:
  void metric(std::string_view name, std::string_view type, std::string_view help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type
         << '\n';
  }

  void sample(std::string_view name, double value, std::string_view labels = {}) {
    out_ << name;
    if (!labels.empty())
      out_ << '{' << labels << '}';
    out_ << ' ' << number(value) << '\n';
  }

  void gauge(std::string_view name, std::string_view help, double value) {
    metric(name, "gauge", help);
    sample(name, value);
  }


  void histogram(std::string_view name, std::string_view help,
                 const latency_histogram::snapshot& h) {
    metric(name, "histogram", help);
    std::uint64_t cumulative = 0;
    std::string bucket = std::string{name} + "_bucket";
    for (std::size_t i = 0; i < latency_histogram::bounds_seconds.size(); ++i) {
      cumulative += h.counts[i];
      sample(bucket, static_cast<double>(cumulative),
             "le=\"" + number(latency_histogram::bounds_seconds[i]) + "\"");
    }
    sample(bucket, static_cast<double>(h.count), "le=\"+Inf\"");
    sample(std::string{name} + "_sum", h.sum_seconds);
    sample(std::string{name} + "_count", static_cast<double>(h.count));
  }

  std::string str() const {
    return out_.str();
  }

private:
  std::ostringstream out_;
};

} // namespace

std::string prometheus_text(const admin_snapshot& snap) {
  const auto& g = snap.live;
  auto t = snap.history.empty() ? sample_totals(snap.now_ms) : snap.history.back();
  exposition x;
  x.gauge("agenttheo_uptime_seconds", "Seconds since the server started.",
          static_cast<double>(snap.now_ms - snap.started_ms) / 1000.0);
  x.gauge("agenttheo_actors", "Live actors known to the registry.",
          static_cast<double>(g.actors));
  x.gauge("agenttheo_sessions_active", "Live sessions.", static_cast<double>(g.sessions));
  x.gauge("agenttheo_sessions_running", "Sessions running a command.",
          static_cast<double>(g.sessions_running));
  x.metric("agenttheo_stream_connections", "gauge", "Open stream connections.");
  x.sample("agenttheo_stream_connections", static_cast<double>(g.sse_connections),
           "transport=\"sse\"");
  x.sample("agenttheo_stream_connections", static_cast<double>(g.ws_connections),
           "transport=\"websocket\"");
  x.gauge("agenttheo_stream_queued_bytes", "Bytes waiting behind stream sockets.",
          static_cast<double>(g.queued_bytes));
  x.gauge("agenttheo_llm_calls_active", "LLM calls in progress.",
          static_cast<double>(g.llm_calls));
  x.gauge("agenttheo_tool_calls_active", "Tool calls in progress.",
          static_cast<double>(g.tool_calls));
  x.gauge("agenttheo_browser_contexts", "Open browser contexts.",
          static_cast<double>(g.browser_contexts));
  x.gauge("agenttheo_browser_contexts_spare",
          "Browser contexts made ahead for new sessions (BROWSER_POOL).",
          static_cast<double>(g.browser_spares));
  const char* family = nullptr;
  for (const auto& v : counter_views) {
    // A family is declared once, before its first sample.
    if (!family || std::string_view{family} != v.family)
      x.metric(v.family, "counter", v.help);
    family = v.family;
    x.sample(v.family, static_cast<double>(t[v.id]) / v.scale,
             v.label ? v.label : "");
  }
  x.histogram("agenttheo_event_delivery_seconds",
              "From an event's creation to its connection handing it to the socket.",
              t.delivery);
  x.histogram("agenttheo_llm_time_to_first_token_seconds",
              "From an LLM call's start to its first token.", t.first_token);
  x.histogram("agenttheo_first_token_added_seconds",
              "A run's time to its first token less the model's own: what the "
              "server adds.",
              t.first_token_added);
  return x.str();
}

} // namespace agenttheo
