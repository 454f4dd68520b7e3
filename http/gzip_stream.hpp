#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace agenttheo::http {

/// One gzip member written piece by piece, each piece flushed so the reader
/// can decode it at once: SSE's `Content-Encoding: gzip`, one piece per
/// write. Uses a small window (8 KiB) to keep a stream's memory low.
class gzip_stream {
public:
  gzip_stream();
  ~gzip_stream();
  gzip_stream(const gzip_stream&) = delete;
  gzip_stream& operator=(const gzip_stream&) = delete;

  /// `text` compressed and sync-flushed (the gzip header comes first).
  std::string write(std::string_view text);

  /// The end of the member: the last deflate block and the gzip trailer.
  std::string finish();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace agenttheo::http
