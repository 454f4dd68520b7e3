#define CAF_SUITE vision

#include "llm/vision.hpp"

#include <caf/test/unit_test.hpp>

#include "llm/chat_request.hpp"
#include "llm/context_budget.hpp"
#include "util/json_reader.hpp"
#include "util/jpeg_size.hpp"

#include "test_files.hpp"

using namespace agenttheo;

namespace {

using test::jpeg_head;

chat_message view(std::string tag, std::uint32_t width, std::uint32_t height) {
  chat_message m{"user", "The page after " + tag, {}, {}};
  m.image = {"/9j/" + std::string(1000, 'A'), width, height};
  return m;
}

/// The verdict with the name, so a failed check says which.
std::string seen(const char* name) {
  return std::string{name} + (model_accepts_images(name) ? " sees" : " does not see");
}

} // namespace

CAF_TEST(auto sees images for the model families that accept them) {
  for (auto* name : {"gpt-4o", "gpt-4o-mini", "openai/gpt-4.1-mini", "gpt-5",
                     "o4-mini", "anthropic/claude-sonnet-4", "claude-3-5-sonnet-20241022",
                     "google/gemini-2.5-flash", "llava:13b", "qwen2.5-vl-7b-instruct",
                     "meta-llama/llama-4-scout", "GPT-4O"})
    CAF_CHECK_EQUAL(seen(name), std::string{name} + " sees");
  for (auto* name : {"gpt-3.5-turbo", "llama3.1:8b", "mistral-7b-instruct",
                     "deepseek-chat", "test-model", "yolo1", "o1x", "qwen2.5-7b", ""})
    CAF_CHECK_EQUAL(seen(name), std::string{name} + " does not see");
  llm_settings llm;
  llm.provider = "compatible";
  llm.model = "gpt-4o";
  CAF_CHECK(vision_enabled(llm));
  llm.vision = vision_mode::off;
  CAF_CHECK(!vision_enabled(llm));
  llm.model = "test-model";
  llm.vision = vision_mode::on;
  CAF_CHECK(vision_enabled(llm));
  llm.provider = "planner";
  CAF_CHECK(!vision_enabled(llm));
}

CAF_TEST(an image costs what OpenAI bills for it at high detail) {
  CAF_CHECK_EQUAL(image_tokens(512, 512), 85u + 170u);
  CAF_CHECK_EQUAL(image_tokens(800, 600), 85u + 170u * 4);   // 768 x 576: 2 x 2
  CAF_CHECK_EQUAL(image_tokens(1024, 768), 85u + 170u * 4);
  CAF_CHECK_EQUAL(image_tokens(4096, 1024), 85u + 170u * 4); // 2048 x 512: 4 x 1
}

CAF_TEST(a jpeg tells its size) {
  auto size = jpeg_size(jpeg_head(800, 600));
  CAF_REQUIRE(size);
  CAF_CHECK_EQUAL(size->width, 800u);
  CAF_CHECK_EQUAL(size->height, 600u);
  CAF_CHECK(!jpeg_size("not a jpeg"));
  CAF_CHECK(!jpeg_size(jpeg_head(8, 6).substr(0, 24)));
  CAF_CHECK(!jpeg_size_base64("!!!"));
}

CAF_TEST(an image goes to the model as an image part) {
  llm_settings s;
  s.model = "gpt-4o";
  auto body = chat_request_body(s, {view("click", 800, 600)}, {});
  json_document doc{body};
  const auto* messages = json_reader{doc}.array("messages");
  CAF_REQUIRE(messages && messages->Size() == 1);
  const auto& content = (*messages)[0]["content"];
  CAF_REQUIRE(content.IsArray() && content.Size() == 2);
  CAF_CHECK_EQUAL(std::string{content[0]["text"].GetString()}, "The page after click");
  CAF_CHECK_EQUAL(std::string{content[1]["type"].GetString()}, "image_url");
  CAF_CHECK_EQUAL(std::string{content[1]["image_url"]["url"].GetString()}.rfind(
                    "data:image/jpeg;base64,/9j/", 0),
                  0u);
  // Without an image, content stays a string.
  auto plain = chat_request_body(s, {{"user", "hi", {}, {}}}, {});
  CAF_CHECK(plain.find(R"("content":"hi")") != std::string::npos);
}

CAF_TEST(trimming drops the oldest images first and the newest last) {
  std::vector<chat_message> messages{{"system", "sys", {}, {}},
                                     {"user", "go", {}, {}},
                                     view("one", 800, 600),
                                     view("two", 800, 600),
                                     view("three", 800, 600)};
  auto full = estimate_tokens(messages);
  CAF_CHECK_GREATER(full, 3u * 765);
  // Room for one image (and the notes that replace the others): the two
  // older go, the newest stays.
  auto report = fit_to_budget(messages, full - 2 * 765 + 40, 1);
  CAF_CHECK_EQUAL(report.dropped_images, 2u);
  CAF_CHECK(messages[2].image.empty());
  CAF_CHECK(messages[3].image.empty());
  CAF_CHECK(!messages[4].image.empty());
  CAF_CHECK_EQUAL(messages[2].content, std::string{"The page after one"} + dropped_image_note);
  // Nothing but the images to give: the newest goes too.
  report = fit_to_budget(messages, 50, 1);
  CAF_CHECK(messages[4].image.empty());
}
