#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace loadgen {

/// Where a stream_reader hands what it decoded.
class payload_sink {
public:
  virtual ~payload_sink() = default;
  /// One SSE event block (its `id:`/`event:`/`data:` lines) or one whole
  /// WebSocket message.
  virtual void on_payload(std::string_view payload) = 0;
};

/// Decodes one client connection's incoming bytes: the HTTP response head,
/// then a chunked or plain body carrying SSE events, or WebSocket frames
/// after a 101. Incremental: bytes may arrive split anywhere.
class stream_reader {
public:
  enum class framing { sse, websocket };

  explicit stream_reader(framing f) : framing_(f) {}

  /// Returns false when the bytes are not what the protocol allows.
  bool feed(const char* data, std::size_t n, payload_sink& sink);

  bool head_done() const { return head_done_; }
  int status() const { return status_; }
  /// The response ended properly (last chunk, or a WebSocket close frame).
  bool ended() const { return ended_; }

private:
  bool parse_head();
  bool dechunk();
  void split_sse(payload_sink& sink);
  bool split_ws(payload_sink& sink);
  void compact(std::string& buffer, std::size_t& offset);

  framing framing_;
  std::string raw_;        // bytes not yet decoded
  std::size_t raw_at_ = 0;
  std::string body_;       // decoded body, not yet split into payloads
  std::size_t body_at_ = 0;
  std::string message_;    // a WebSocket message being reassembled
  std::size_t chunk_left_ = 0;
  bool in_chunk_ = false;
  bool chunked_ = false;
  bool head_done_ = false;
  bool ended_ = false;
  int status_ = 0;
};

} // namespace loadgen
