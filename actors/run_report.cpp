#include "actors/run_report.hpp"

#include "actors/run_media.hpp"
#include "protocol/security_headers.hpp"
#include "util/base64.hpp"
#include "util/json_writer.hpp"
#include "web/web_assets.hpp"

namespace agenttheo {

namespace {

std::string_view asset(std::string_view path) {
  auto* found = find_web_asset(path);
  return found ? found->body : std::string_view{};
}

/// `text` safe inside <script>: no `</` can end the element early.
std::string script_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/')
      out += '\\';
  }
  return out;
}

std::string run_json(const report_job& job) {
  json_writer out;
  out.begin_object()
    .field("session", job.session)
    .field("messageId", job.message_id)
    .key("events")
    .begin_array();
  for (const auto& ev : job.events)
    out.raw(ev->envelope());
  out.end_array().key("frames").begin_array();
  for (const auto& frame : job.frames) {
    auto jpeg = job.folder ? job.folder->read(frame) : std::nullopt;
    if (!jpeg)
      continue;
    out.begin_object()
      .field("id", frame.id)
      .field("ts", frame.ts)
      .field("width", static_cast<std::uint64_t>(frame.width))
      .field("height", static_cast<std::uint64_t>(frame.height))
      .field("src", "data:image/jpeg;base64," + base64_encode(*jpeg))
      .end_object();
  }
  out.end_array().end_object();
  return out.str();
}

} // namespace

std::string run_report_html(const report_job& job) {
  std::string html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta http-equiv=\"Content-Security-Policy\" content=\"";
  html += report_content_policy;
  html += "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>AgentTheo run " + job.message_id + "</title>\n<style>\n";
  html += asset("/report/report.css");
  html += "</style>\n</head>\n<body>\n<main id=\"report\">\n"
          "<noscript>This report lays itself out with its own script; the run's "
          "events and frames are in the page source as JSON.</noscript>\n</main>\n"
          "<script type=\"application/json\" id=\"run-data\">";
  html += script_safe(run_json(job));
  html += "</script>\n<script>\n";
  html += script_safe(asset("/report/report.js"));
  html += "</script>\n</body>\n</html>\n";
  return html;
}

} // namespace agenttheo
