#include "http/gzip_stream.hpp"

#include <boost/beast/zlib/deflate_stream.hpp>
#include <boost/crc.hpp>

namespace agenttheo::http {

namespace zlib = boost::beast::zlib;

struct gzip_stream::impl {
  zlib::deflate_stream deflate;
  boost::crc_32_type crc;
  std::uint32_t size = 0;
  bool started = false;

  impl() {
    // Raw deflate (gzip adds its own framing), 8 KiB window, small tables.
    deflate.reset(6, 13, 5, zlib::Strategy::normal);
  }

  /// Deflates `text` with `flush` and appends the output to `out`.
  void run(std::string_view text, zlib::Flush flush, std::string& out) {
    zlib::z_params zs;
    zs.next_in = text.data();
    zs.avail_in = text.size();
    for (;;) {
      char buf[16384];
      zs.next_out = buf;
      zs.avail_out = sizeof(buf);
      boost::system::error_code ec;
      deflate.write(zs, flush, ec);
      out.append(buf, sizeof(buf) - zs.avail_out);
      if (ec == zlib::error::end_of_stream)
        return;
      // Done once all input is in and the flush did not fill the buffer.
      if (zs.avail_in == 0 && zs.avail_out != 0)
        return;
      if (ec && ec != zlib::error::need_buffers)
        return;
    }
  }
};

gzip_stream::gzip_stream() : impl_(std::make_unique<impl>()) {
}

gzip_stream::~gzip_stream() = default;

void gzip_stream::write(std::string_view text, std::string& out) {
  if (!impl_->started) {
    impl_->started = true;
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown)
    out.append("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  }
  impl_->crc.process_bytes(text.data(), text.size());
  impl_->size += static_cast<std::uint32_t>(text.size());
  impl_->run(text, zlib::Flush::none, out);
}

void gzip_stream::flush(std::string& out) {
  impl_->run({}, zlib::Flush::sync, out);
}

std::string gzip_stream::finish() {
  std::string out;
  write({}, out); // the header, if nothing was written before
  impl_->run({}, zlib::Flush::finish, out);
  auto put = [&out](std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(impl_->crc.checksum());
  put(impl_->size);
  return out;
}

} // namespace agenttheo::http
