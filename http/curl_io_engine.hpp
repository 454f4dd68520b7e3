#pragma once

#include <memory>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace agenttheo {
class curl_engine;
} // namespace agenttheo

namespace agenttheo::http {

/// A curl driver's engine on `ioc`: each socket curl watches is waited on
/// by the context's reactor, curl's timer is a context timer, and every
/// call into curl runs on one strand, so a provider's bytes are read on an
/// I/O thread (ACTORS_ON_IO_THREADS). `ioc` must outlive the engine.
std::unique_ptr<curl_engine> make_curl_io_engine(boost::asio::io_context& ioc);

} // namespace agenttheo::http
