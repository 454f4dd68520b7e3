#pragma once

// `GET /api/runs/{messageId}/report`: one HTML file that needs nothing but
// itself. The run's events and frames go in as JSON (frames as data:
// URLs), web/report's stylesheet and script inline beside them, and a
// Content-Security-Policy that allows no request at all, so the file can
// be mailed, archived and opened offline, and shows the same.

#include <string>

namespace agenttheo {

struct report_job;

/// The report of the run `job` describes.
std::string run_report_html(const report_job& job);

} // namespace agenttheo
