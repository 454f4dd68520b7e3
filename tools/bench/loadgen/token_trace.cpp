#include "token_trace.hpp"

#include <cerrno>
#include <cstring>

namespace loadgen {

namespace {

constexpr std::size_t buffer_bytes = 1 << 20;

} // namespace

token_trace::token_trace(const std::string& path)
    : file_(std::fopen(path.c_str(), "w")), buffer_(buffer_bytes, '\0') {
  if (!file_) {
    std::fprintf(stderr, "loadgen: cannot write the trace %s: %s\n",
                 path.c_str(), std::strerror(errno));
    return;
  }
  std::setvbuf(file_, buffer_.data(), _IOFBF, buffer_.size());
}

token_trace::~token_trace() {
  if (file_)
    std::fclose(file_);
}

void token_trace::record(std::uint64_t sent_ns, std::uint64_t received_ns,
                         unsigned stream, std::int64_t ordinal) {
  if (file_)
    std::fprintf(file_, "%llu %llu %u %lld\n",
                 static_cast<unsigned long long>(sent_ns),
                 static_cast<unsigned long long>(received_ns), stream,
                 static_cast<long long>(ordinal));
}

} // namespace loadgen
