#pragma once

#include <memory>

namespace agenttheo {
class curl_engine;
} // namespace agenttheo

namespace agenttheo::http {

class io_context_pool;

/// A curl driver's engine on the I/O contexts: each socket curl watches is
/// waited on by a context's reactor, curl's timer is a context timer, and
/// every call into one context's curl handle runs on one strand, so a
/// provider's bytes are read on an I/O thread (ACTORS_ON_IO_THREADS), the
/// transfers spread over the contexts. `contexts` must outlive the engine.
std::unique_ptr<curl_engine> make_curl_io_engine(io_context_pool& contexts);

} // namespace agenttheo::http
