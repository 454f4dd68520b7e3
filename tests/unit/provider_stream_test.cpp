#define CAF_SUITE provider_stream

#include <caf/test/unit_test.hpp>

#include <algorithm>

#include <rapidjson/document.h>

#include "llm/chat_request.hpp"
#include "llm/content_chunk.hpp"
#include "llm/content_chunk_scan.hpp"
#include "llm/delta_assembler.hpp"
#include "protocol/sse_parser.hpp"

using namespace agenttheo;

namespace {

// A chat-completions stream as providers send it: a comment, role-only
// first chunk, content, two parallel tool calls split across chunks, the
// finish reason, a usage-only chunk, and [DONE].
const std::string wire
  = ": OPENROUTER PROCESSING\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo \\u00e9\"},\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"navigate_to\",\"arguments\":\"\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"read_\",\"arguments\":\"{}\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"url\\\":\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"name\":\"page\"}},{\"index\":0,\"function\":{\"arguments\":\"\\\"https://example.com\\\"}\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}\n\n"
    "data: [DONE]\n\n";

struct replay {
  delta_assembler assembler;
  std::string content;
  int done = 0;
  int bad = 0;

  void feed(sse_parser& parser, std::string_view bytes) {
    std::vector<std::string> events;
    CAF_REQUIRE(parser.feed(bytes, events));
    for (auto& data : events) {
      auto out = assembler.on_data(data);
      content += out.content;
      done += out.what == chunk_outcome::kind::done;
      bad += out.what == chunk_outcome::kind::malformed;
    }
  }
};

void check_result(const replay& r) {
  CAF_CHECK_EQUAL(r.content, "Hello \xC3\xA9");
  CAF_CHECK_EQUAL(r.done, 1);
  CAF_CHECK_EQUAL(r.bad, 0);
  auto& calls = r.assembler.tool_calls();
  CAF_REQUIRE_EQUAL(calls.size(), 2u);
  CAF_CHECK_EQUAL(calls[0].id, "call_a");
  CAF_CHECK_EQUAL(calls[0].name, "navigate_to");
  CAF_CHECK_EQUAL(calls[0].arguments, "{\"url\":\"https://example.com\"}");
  CAF_CHECK_EQUAL(calls[1].id, "call_b");
  CAF_CHECK_EQUAL(calls[1].name, "read_page");
  CAF_CHECK_EQUAL(calls[1].arguments, "{}");
  CAF_REQUIRE(r.assembler.usage().has_value());
  CAF_CHECK_EQUAL(r.assembler.usage()->prompt_tokens, 12u);
  CAF_CHECK_EQUAL(r.assembler.usage()->completion_tokens, 7u);
  CAF_CHECK_EQUAL(r.assembler.finish_reason().value_or(""), "tool_calls");
}

} // namespace

CAF_TEST(a whole stream assembles content tool calls and usage) {
  replay r;
  sse_parser parser;
  r.feed(parser, wire);
  check_result(r);
}

CAF_TEST(the same stream split at every byte gives the same result) {
  for (std::size_t split = 1; split < wire.size(); split += 7) {
    replay r;
    sse_parser parser;
    r.feed(parser, std::string_view{wire}.substr(0, split));
    r.feed(parser, std::string_view{wire}.substr(split));
    check_result(r);
  }
  replay bytewise;
  sse_parser parser;
  for (char c : wire)
    bytewise.feed(parser, std::string_view{&c, 1});
  check_result(bytewise);
}

CAF_TEST(multi line data and lone CR line endings) {
  sse_parser parser;
  std::vector<std::string> events;
  CAF_CHECK(parser.feed("data: a\rdata: b\r\rdata:c\n\n: note\n\n", events));
  CAF_REQUIRE_EQUAL(events.size(), 2u);
  CAF_CHECK_EQUAL(events[0], "a\nb");
  CAF_CHECK_EQUAL(events[1], "c");
}

CAF_TEST(a CRLF split between reads ends one line) {
  sse_parser parser;
  std::vector<sse_message> events;
  CAF_CHECK(parser.feed("event: delta\r\nid: 7\r\ndata: a\r", events));
  CAF_CHECK(parser.feed("\ndata: b\r", events));
  CAF_CHECK(events.empty());
  CAF_CHECK(parser.feed("\n\r", events));
  CAF_REQUIRE_EQUAL(events.size(), 1u);
  CAF_CHECK_EQUAL(events[0].data, "a\nb");
  CAF_CHECK_EQUAL(events[0].event, "delta");
  CAF_CHECK_EQUAL(events[0].id, "7");
  CAF_CHECK(events[0].has_id);
}

CAF_TEST(a line as long as the limit is taken and one byte more is not) {
  sse_parser at_limit{16};
  std::vector<std::string> events;
  CAF_CHECK(at_limit.feed("data: 0123456789", events));
  CAF_CHECK(at_limit.feed("\n\n", events));
  CAF_REQUIRE_EQUAL(events.size(), 1u);
  CAF_CHECK_EQUAL(events[0], "0123456789");
  sse_parser past_limit{16};
  CAF_CHECK(past_limit.feed("data: 01234", events));
  CAF_CHECK(!past_limit.feed("567890\n\n", events));
  CAF_CHECK_EQUAL(events.size(), 1u);
}

CAF_TEST(an over long line fails the parser instead of growing) {
  sse_parser parser{64};
  std::vector<std::string> events;
  CAF_CHECK(!parser.feed("data: " + std::string(100, 'x'), events));
  CAF_CHECK(parser.failed());
  CAF_CHECK(!parser.feed("\n\n", events));
  CAF_CHECK(events.empty());
}

CAF_TEST(malformed chunks and provider errors are reported) {
  delta_assembler a;
  CAF_CHECK(a.on_data("{not json").what == chunk_outcome::kind::malformed);
  CAF_CHECK(a.on_data("[1,2]").what == chunk_outcome::kind::malformed);
  CAF_CHECK(a.on_data(R"({"choices":7})").what == chunk_outcome::kind::malformed);
  CAF_CHECK(a.on_data(R"({"choices":[{"delta":{"tool_calls":[{"index":100000}]}}]})").what
            == chunk_outcome::kind::malformed);
  auto err = a.on_data(R"({"error":{"message":"Upstream overloaded","code":502}})");
  CAF_CHECK(err.what == chunk_outcome::kind::provider_error);
  CAF_CHECK_EQUAL(err.error, "Upstream overloaded");
  CAF_CHECK(a.on_data(R"({"choices":[{"delta":{"content":null}}]})").what
            == chunk_outcome::kind::ok);
}

// Chunks read in one pass: text, finish reasons, scalars beside them.
const char* const text_only_chunks[] = {
  R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"t1;"},"finish_reason":null,"logprobs":null}]})",
  R"({"choices":[{"delta":{"role":"assistant","content":"a\u00e9\n"}},{"delta":{"content":"b"},"finish_reason":"stop"}]})",
  R"({"choices":[{"delta":{"content":null,"tool_calls":null}}],"usage":null})",
  R"({"choices":[],"system_fingerprint":"fp"})", R"({})",
  // The hand scan's borders: what it gives to the reader, and what not.
  " {\n\t\"choices\" : [ { \"delta\" : { \"content\" : \"x y\" } } ] }\r\n",
  R"({"created":-0,"n":123456789012345678,"choices":[{"delta":{"content":"\"q\""}}]})",
  R"({"x":1.5e3,"y":12345678901234567890,"choices":[{"finish_reason":"length"}]})",
  R"({"x":true,"y":false,"z":null,"choices":[{"index":0,"delta":{"role":"assistant"}}]})",
  R"({"choices":[{"delta":{"content":"caf\u00e9 \ud83d\ude00"}}]})",
  R"({"choices":[{"error":1,"delta":{"content":"e"}}]})",
  R"({"choices":[{"delta":{"content":1}}]})", // the reader's: no text
};

// Chunks read whole: what the assembler must see, or what the document
// reads otherwise (a repeated key: the document keeps the first).
const char* const chunks_read_whole[] = {
  R"({"error":{"message":"overloaded"}})",
  R"({"choices":[],"usage":{"prompt_tokens":1}})",
  R"({"choices":[{"delta":{"tool_calls":[{"index":0}]}}]})",
  R"({"choices":[{"delta":{"tool_calls":3}}]})",
  R"({"choices":[{"delta":{"tool_calls":"x"}}]})",
  R"({"choices":[{"delta":{"content":"a","content":"b"}}]})",
  R"({"choices":[],"choices":[{"delta":{"content":"b"}}]})",
  R"({"choices":[{"delta":{"content":[{"type":"text"}]}}]})",
  R"({"choices":[{"delta":{},"logprobs":{"content":[]}}]})",
  R"({"choices":7})",
  R"({"choices":[7]})",
  R"({"choices":[{"delta":null}]})",
  "[1,2]",
  "{not json",
  R"({"choices":[]} x)",
  "[DONE]",
  R"({"choices":[{"delta":{"content":"a"},"delta":{"content":"b"}}]})",
  R"({"choices":[{"finish_reason":"stop","finish_reason":"length"}]})",
  R"({"choices":null})",
  R"({"choices":[{"delta":{"content":"a"}}],"created":01})",
  R"({"choices":[{"delta":{"content":"a"}}],"x":nul})",
  R"({"choices":[{"delta":{"content":"a"}}],})",
  R"({"choices":[{"delta":{"content":"a"}},]})",
  R"({"choices":[{"delta":{"content":"a"}}])",
  R"({"choices":[{"delta":{"content":"a)",
  // A string with no end whose rest reads as a literal (found by the fuzzer).
  R"({"choices":[],"x":"null})",
  "",
};

CAF_TEST(a text only chunk is read in one pass and anything else whole) {
  for (const char* chunk : text_only_chunks) {
    CAF_MESSAGE(chunk);
    CAF_CHECK(read_content_chunk(chunk).has_value());
  }
  for (const char* chunk : chunks_read_whole) {
    CAF_MESSAGE(chunk);
    CAF_CHECK(!read_content_chunk(chunk).has_value());
  }
  auto two = read_content_chunk(
    R"({"choices":[{"delta":{"content":"a\u00e9"}},{"delta":{"content":"b"},"finish_reason":"stop"}]})");
  CAF_REQUIRE(two.has_value());
  CAF_CHECK_EQUAL(two->content, std::string{"a\xC3\xA9"} + "b");
  CAF_CHECK_EQUAL(two->finish_reason.value_or(""), "stop");
}

CAF_TEST(the common chunk is scanned by hand and an escape left to the reader) {
  auto common = scan_content_chunk(text_only_chunks[0]);
  CAF_REQUIRE(common.has_value());
  CAF_CHECK_EQUAL(common->content, "t1;");
  CAF_CHECK(!common->finish_reason);
  auto spaced = scan_content_chunk(text_only_chunks[5]);
  CAF_REQUIRE(spaced.has_value());
  CAF_CHECK_EQUAL(spaced->content, "x y");
  auto finished = scan_content_chunk(
    R"({"choices":[{"delta":{"content":"a"}},{"delta":{"content":"b"},"finish_reason":"stop"}]})");
  CAF_REQUIRE(finished.has_value());
  CAF_CHECK_EQUAL(finished->content, "ab");
  CAF_CHECK_EQUAL(finished->finish_reason.value_or(""), "stop");
  // Escapes, fractions, long numbers: the reader's, and it reads them.
  for (auto i : {6, 7, 9}) {
    CAF_MESSAGE(text_only_chunks[i]);
    CAF_CHECK(!scan_content_chunk(text_only_chunks[i]));
    CAF_CHECK(read_content_chunk(text_only_chunks[i]).has_value());
  }
  CAF_CHECK_EQUAL(read_content_chunk(text_only_chunks[6])->content, "\"q\"");
  for (const char* chunk : chunks_read_whole)
    CAF_CHECK(!scan_content_chunk(chunk));
  // A NUL ends what the reader reads; the scan leaves it to the reader.
  std::string nul{R"({"choices":[]})"};
  nul += '\0';
  nul += "garbage";
  CAF_CHECK(!scan_content_chunk(nul));
}

CAF_TEST(a chunk reads the same in one pass as read whole) {
  auto same = [](const char* chunk) {
    CAF_MESSAGE(chunk);
    delta_assembler fast;
    delta_assembler whole;
    auto a = fast.on_data(chunk);
    auto b = whole.on_data_read_whole(chunk);
    CAF_CHECK(a.what == b.what);
    CAF_CHECK_EQUAL(a.content, b.content);
    CAF_CHECK_EQUAL(fast.content(), whole.content());
    CAF_CHECK_EQUAL(fast.finish_reason().value_or("-"),
                    whole.finish_reason().value_or("-"));
  };
  for (const char* chunk : text_only_chunks)
    same(chunk);
  for (const char* chunk : chunks_read_whole)
    same(chunk);
  same(R"({"choices":[{"finish_reason":7,"delta":{"content":3}}]})");
}

CAF_TEST(the request asks for a stream with usage and offers the tools) {
  llm_settings s;
  s.provider = "openrouter";
  s.base_url = "http://127.0.0.1:9/v1/";
  s.model = "openai/gpt-4o-mini";
  s.api_key = "sk-secret";
  s.temperature = 0.5;
  s.max_tokens = 256;
  std::vector<chat_message> messages = {
    {"system", "be brief", {}, {}},
    {"user", "open example.com", {}, {}},
    {"assistant", "", {{"call_1", "navigate_to", R"({"url":"x"})"}}, {}},
    {"tool", "opened", {}, "call_1"},
  };
  std::vector<tool_schema> tools = {
    {"navigate_to", "Open a URL",
     R"({"type":"object","properties":{"url":{"type":"string"}}})"}};
  rapidjson::Document doc;
  auto body = chat_request_body(s, messages, tools);
  doc.Parse(body.c_str());
  CAF_REQUIRE(!doc.HasParseError());
  CAF_CHECK_EQUAL(doc["model"].GetString(), std::string{"openai/gpt-4o-mini"});
  CAF_CHECK(doc["stream"].GetBool());
  CAF_CHECK(doc["stream_options"]["include_usage"].GetBool());
  CAF_CHECK_EQUAL(doc["temperature"].GetDouble(), 0.5);
  CAF_CHECK_EQUAL(doc["max_tokens"].GetUint(), 256u);
  CAF_REQUIRE_EQUAL(doc["messages"].Size(), 4u);
  auto& call = doc["messages"][2]["tool_calls"][0];
  CAF_CHECK_EQUAL(call["function"]["name"].GetString(), std::string{"navigate_to"});
  CAF_CHECK_EQUAL(doc["messages"][3]["tool_call_id"].GetString(),
                  std::string{"call_1"});
  auto& tool = doc["tools"][0];
  CAF_CHECK_EQUAL(tool["type"].GetString(), std::string{"function"});
  CAF_CHECK_EQUAL(tool["function"]["parameters"]["properties"]["url"]["type"]
                    .GetString(),
                  std::string{"string"});
  CAF_CHECK_EQUAL(chat_completions_url(s), "http://127.0.0.1:9/v1/chat/completions");
  auto headers = chat_request_headers(s);
  CAF_CHECK(std::find(headers.begin(), headers.end(),
                      "Authorization: Bearer sk-secret") != headers.end());
  CAF_CHECK(std::find(headers.begin(), headers.end(), "X-Title: AgentTheo")
            != headers.end());
  llm_settings plain;
  plain.model = "m";
  rapidjson::Document minimal;
  auto minimal_body = chat_request_body(plain, {{"user", "hi", {}, {}}}, {});
  minimal.Parse(minimal_body.c_str());
  CAF_CHECK(!minimal.HasMember("tools"));
  CAF_CHECK(!minimal.HasMember("temperature"));
  CAF_CHECK(!minimal.HasMember("max_tokens"));
}
