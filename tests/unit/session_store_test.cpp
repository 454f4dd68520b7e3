#define CAF_SUITE session_store

#include "store/session_store.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "store/conversation_json.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_error.hpp"
#include "store/store_inbox.hpp"
#include "store/store_schema.hpp"

#include <caf/test/unit_test.hpp>

using namespace agenttheo;

namespace {

/// A fresh folder for one test's database, removed after it.
struct scratch {
  std::filesystem::path dir;
  scratch() {
    char name[] = "/tmp/agenttheo-store-XXXXXX";
    dir = mkdtemp(name);
  }
  ~scratch() {
    std::filesystem::remove_all(dir);
  }
  std::string db() const {
    return (dir / "nested" / "agenttheo.db").string();
  }
};

event_ptr an_event(std::uint64_t id, std::string message_id, event_type type,
                   std::string data, bool terminal = false) {
  return encode(event{id, type, "s-1", std::move(message_id), std::move(data),
                      terminal, 1'796'251'545'000 + static_cast<std::int64_t>(id)});
}

std::vector<store_write> a_session_with_one_run() {
  session_row session{"s-1", "read the title", "127.0.0.1", 1000, 2000, 1, 1};
  run_row run;
  run.session_id = "s-1";
  run.message_id = "m-1";
  run.number = 1;
  run.command = "read the title";
  run.stream_mode = "messages";
  run.first_id = 1;
  run.last_id = 3;
  run.phase = run_phase::finished;
  run.outcome = run_outcome::complete;
  run.result = "Example Domain";
  run.prompt_tokens = 7;
  run.model_calls = 2;
  run.tool_calls = 1;
  run.cost_nano_usd = 17'000'000;
  run.checkpoint_json = R"({"interrupts":[]})";
  return {session,
          run,
          event_row{an_event(1, "m-1", event_type::start, R"({"a":1})")},
          event_row{an_event(2, "m-1", event_type::token, R"({"token":"Ex"})")},
          event_row{an_event(3, "m-1", event_type::complete, R"({"result":"E"})", true)},
          conversation_row{"s-1", conversation_to_json(
                                    {{"user", "read the title", {}, {}},
                                     {"assistant", "", {{"c1", "get_title", "{}"}}, {}},
                                     {"tool", "Example Domain", {}, "c1"}})},
          page_row{"s-1", "http://127.0.0.1:8000/demo/", R"({"url":"u"})"}};
}

} // namespace

CAF_TEST(what is written comes back as it was) {
  scratch dir;
  {
    auto store = session_store::open({dir.db(), false});
    CAF_CHECK_EQUAL(store->schema_version(), current_schema_version());
    store->write(a_session_with_one_run());
  }
  // Conversations and cookies: this user's only.
  namespace fs = std::filesystem;
  auto others = fs::perms::group_all | fs::perms::others_all;
  CAF_CHECK((fs::status(dir.db()).permissions() & others) == fs::perms::none);
  CAF_CHECK((fs::status(fs::path{dir.db()}.parent_path()).permissions() & others)
            == fs::perms::none);
  auto store = session_store::open({dir.db(), false});
  auto sessions = store->load(100);
  CAF_REQUIRE_EQUAL(sessions.size(), 1u);
  auto& s = sessions.front();
  CAF_CHECK_EQUAL(s.session.title, "read the title");
  CAF_CHECK_EQUAL(s.session.client, "127.0.0.1");
  // The ids go on after the newest event, whatever the row said.
  CAF_CHECK_EQUAL(s.session.next_id, 4u);
  CAF_REQUIRE_EQUAL(s.runs.size(), 1u);
  CAF_CHECK_EQUAL(s.runs[0].result, "Example Domain");
  CAF_CHECK(s.runs[0].outcome == run_outcome::complete);
  CAF_CHECK_EQUAL(s.runs[0].prompt_tokens, 7u);
  CAF_CHECK_EQUAL(s.runs[0].model_calls, 2u);
  CAF_CHECK_EQUAL(s.runs[0].tool_calls, 1u);
  CAF_CHECK_EQUAL(s.runs[0].cost_nano_usd, 17'000'000);
  CAF_CHECK_EQUAL(s.runs[0].checkpoint_json, R"({"interrupts":[]})");
  CAF_REQUIRE_EQUAL(s.events.size(), 3u);
  auto original = a_session_with_one_run();
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& was = std::get<event_row>(original[2 + i]).event;
    CAF_CHECK_EQUAL(s.events[i]->envelope(), was->envelope());
    CAF_CHECK_EQUAL(s.events[i]->sse_frame, was->sse_frame);
    CAF_CHECK_EQUAL(s.events[i]->raw.terminal, was->raw.terminal);
    CAF_CHECK_EQUAL(s.events[i]->raw.ts, was->raw.ts);
  }
  auto conversation = conversation_from_json(s.conversation_json);
  CAF_REQUIRE_EQUAL(conversation.size(), 3u);
  CAF_CHECK_EQUAL(conversation[1].tool_calls.at(0).name, "get_title");
  CAF_CHECK_EQUAL(conversation[2].tool_call_id, "c1");
  CAF_CHECK_EQUAL(s.page_url, "http://127.0.0.1:8000/demo/");
  CAF_CHECK_EQUAL(s.page_state_json, R"({"url":"u"})");
}

CAF_TEST(only the newest events come back and never a shutdown closed) {
  scratch dir;
  auto store = session_store::open({dir.db(), false});
  auto writes = a_session_with_one_run();
  writes.push_back(event_row{an_event(4, "", event_type::status,
                                      R"({"state":"closed"})", true)});
  store->write(writes);
  auto sessions = store->load(2);
  CAF_REQUIRE_EQUAL(sessions.front().events.size(), 2u);
  CAF_CHECK_EQUAL(sessions.front().events[0]->raw.id, 2u);
  CAF_CHECK_EQUAL(sessions.front().events[1]->raw.id, 3u);
  // The `closed` is not replayed, but its id is used up.
  CAF_CHECK_EQUAL(sessions.front().session.next_id, 5u);
}

CAF_TEST(ended sessions wait for the sweep and deleted ones go at once) {
  scratch dir;
  auto store = session_store::open({dir.db(), false});
  store->write(a_session_with_one_run());
  store->write({session_row{"s-2", "", "", 1000, 1000, 1, 0}});
  store->write({session_ended_row{"s-1", false, 5000}});
  CAF_CHECK_EQUAL(store->load(10).size(), 1u);
  CAF_CHECK_EQUAL(store->sweep(5000).size(), 0u);
  CAF_CHECK_EQUAL(store->sweep(5001), std::vector<std::string>{"s-1"});
  store->write({session_ended_row{"s-2", true, 6000}});
  CAF_CHECK_EQUAL(store->load(10).size(), 0u);
  CAF_CHECK_EQUAL(store->sweep(100000).size(), 0u);
}

CAF_TEST(an ended session is revived by its id or a run messageId) {
  scratch dir;
  auto store = session_store::open({dir.db(), false});
  store->write(a_session_with_one_run());
  // Live: nothing to revive (it is in memory).
  CAF_CHECK(!store->revive("s-1", "", 10));
  store->write({session_ended_row{"s-1", false, 5000}});
  auto by_id = store->revive("s-1", "", 10);
  CAF_REQUIRE(by_id);
  CAF_CHECK_EQUAL(by_id->events.size(), 3u);
  CAF_CHECK_EQUAL(by_id->runs.size(), 1u);
  auto by_run = store->revive("", "m-1", 2);
  CAF_REQUIRE(by_run);
  CAF_CHECK_EQUAL(by_run->session.id, "s-1");
  CAF_CHECK_EQUAL(by_run->events.size(), 2u);
  CAF_CHECK(!store->revive("", "m-unknown", 10));
  CAF_CHECK(!store->revive("s-unknown", "", 10));
  store->write({session_ended_row{"s-1", true, 6000}});
  CAF_CHECK(!store->revive("s-1", "", 10));
}

CAF_TEST(a forgotten run takes its events with it at the next sweep) {
  scratch dir;
  auto store = session_store::open({dir.db(), false});
  store->write(a_session_with_one_run());
  store->write({run_forgotten_row{"s-1", "m-1"}});
  auto before = store->load(10);
  CAF_CHECK(before.front().runs.empty());
  // Still in the session's log, as they were before a restart.
  CAF_CHECK_EQUAL(before.front().events.size(), 3u);
  store->sweep(0);
  auto after = store->load(10);
  CAF_CHECK(after.front().events.empty());
  CAF_CHECK_EQUAL(after.front().session.next_id, 1u);
}

CAF_TEST(a schema 1 database is migrated in order) {
  scratch dir;
  std::filesystem::create_directories(std::filesystem::path{dir.db()}.parent_path());
  {
    auto db = sqlite::database::open(dir.db());
    db->exec(store_migrations().front().sql);
    db->exec("PRAGMA user_version = 1");
    db->exec("INSERT INTO sessions (id, created_at, updated_at) "
             "VALUES ('s-old', 1, 1)");
  }
  auto store = session_store::open({dir.db(), false});
  CAF_CHECK_EQUAL(store->schema_version(), 5);
  auto sessions = store->load(10);
  CAF_REQUIRE_EQUAL(sessions.size(), 1u);
  CAF_CHECK_EQUAL(sessions.front().session.id, "s-old");
  CAF_CHECK_EQUAL(sessions.front().page_state_json, "");
}

CAF_TEST(databases it cannot use are refused in words) {
  scratch dir;
  auto refusal = [&] {
    try {
      session_store::open({dir.db(), false});
    } catch (const store_error& e) {
      return std::string{e.what()};
    }
    return std::string{"opened"};
  };
  {
    auto holder = session_store::open({dir.db(), false});
    CAF_CHECK_NOT_EQUAL(refusal().find("locked by another process"),
                        std::string::npos);
  }
  {
    auto db = sqlite::database::open(dir.db());
    db->exec("PRAGMA user_version = 7");
  }
  CAF_CHECK_NOT_EQUAL(refusal().find("newer AgentTheo (schema version 7"),
                      std::string::npos);
  std::ofstream{dir.db(), std::ios::trunc} << std::string(4096, 'x');
  CAF_CHECK_NOT_EQUAL(refusal().find("corrupt"), std::string::npos);
}

CAF_TEST(the inbox lags past its bound and catches up once written) {
  store_inbox inbox{1024};
  for (std::uint64_t id = 1; id <= 8; ++id)
    inbox.put(event_row{an_event(id, "m", event_type::token,
                                 R"({"token":")" + std::string(100, 'a') + "\"}")});
  CAF_CHECK(inbox.lagging());
  auto taken = inbox.take();
  CAF_CHECK_EQUAL(taken.size(), 8u);
  // Taken is not written: it still counts.
  CAF_CHECK(inbox.lagging());
  std::size_t bytes = 0;
  for (const auto& w : taken)
    bytes += footprint(w);
  inbox.written(bytes, taken.size());
  CAF_CHECK(!inbox.lagging());
  CAF_CHECK_EQUAL(inbox.pending_bytes(), 0u);
  CAF_CHECK_EQUAL(inbox.events_written(), 8u);
}

CAF_TEST(text bound in place is written as it was when its row ran) {
  auto db = sqlite::database::open(":memory:");
  db->exec("CREATE TABLE t (a TEXT NOT NULL, b TEXT NOT NULL)");
  auto insert = db->prepare("INSERT INTO t VALUES (?1, ?2)");
  std::string a(300, 'a');
  std::string b = "first";
  insert.bind_in_place(1, a).bind_in_place(2, b).run();
  // What the row pointed at changes and goes: the row keeps its own.
  a.assign(300, 'z');
  b.clear();
  b.shrink_to_fit();
  insert.bind_in_place(1, "second").bind_in_place(2, "row").run();
  auto rows = db->prepare("SELECT a, b FROM t ORDER BY rowid");
  CAF_REQUIRE(rows.step());
  CAF_CHECK_EQUAL(rows.text(0), std::string(300, 'a'));
  CAF_CHECK_EQUAL(rows.text(1), "first");
  CAF_REQUIRE(rows.step());
  CAF_CHECK_EQUAL(rows.text(0), "second");
  CAF_CHECK_EQUAL(rows.text(1), "row");
  CAF_CHECK(!rows.step());
}
