#pragma once

#include <string>

namespace loadgen {

/// Blocking HTTP/1.1 POSTs over one kept-alive connection: the publisher
/// for pub/sub peers, and the "release" signal to the benchmark upstream.
class http_poster {
public:
  /// `url`: http://host:port/path
  explicit http_poster(const std::string& url);
  ~http_poster();
  http_poster(const http_poster&) = delete;
  http_poster& operator=(const http_poster&) = delete;

  /// Returns the response status, or 0 when the exchange failed.
  int post(const std::string& body);

private:
  bool connect();
  int read_response();

  std::string host_;
  int port_ = 80;
  std::string path_;
  int fd_ = -1;
  std::string buffer_;
};

} // namespace loadgen
