#pragma once

// `agenttheo mcp --server URL`: MCP over stdio for clients that start
// local servers (Claude Desktop, editors). Each newline-delimited JSON-RPC
// message on stdin is POSTed to a running server's `/mcp`; each message
// that comes back (a JSON answer, or every event of a streamed one) is
// written to stdout as one line.

#include <string>
#include <vector>

namespace agenttheo::cli {

int mcp_stdio_main(const std::vector<std::string>& args);

} // namespace agenttheo::cli
