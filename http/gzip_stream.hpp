#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace agenttheo::http {

/// One gzip member written piece by piece, each write flushed so the reader
/// can decode it at once: SSE's `Content-Encoding: gzip`. Uses a small
/// window (8 KiB) to keep a stream's memory low.
class gzip_stream {
public:
  gzip_stream();
  ~gzip_stream();
  gzip_stream(const gzip_stream&) = delete;
  gzip_stream& operator=(const gzip_stream&) = delete;

  /// Compresses `text` into `out` (the gzip header first, the first time);
  /// some of it may wait in the compressor until `flush`.
  void write(std::string_view text, std::string& out);

  /// Appends to `out` everything written so far, decodable on arrival.
  void flush(std::string& out);

  /// The end of the member: the last deflate block and the gzip trailer.
  std::string finish();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace agenttheo::http
