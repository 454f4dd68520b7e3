#pragma once

#include <memory>

namespace agenttheo {
class plain_http_engine;
} // namespace agenttheo

namespace agenttheo::http {

class io_context_pool;

/// Plain-HTTP transfers on the I/O contexts: each a socket of its own on a
/// context (the one it is asked to be near, else the contexts in turn),
/// its request written and its response read with asio, parsed as it comes
/// (`streamed_response`). A token the provider sends costs one `recv` on
/// the thread that then runs the call's actor, where curl costs a wait
/// re-armed with `epoll_ctl`, a `poll` and its own bookkeeping. Takes
/// `http://` URLs unless a proxy is configured for them. `contexts` must
/// outlive the engine.
std::unique_ptr<plain_http_engine>
make_asio_http_engine(io_context_pool& contexts);

} // namespace agenttheo::http
