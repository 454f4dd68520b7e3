#include "http/caf_bridge.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "http/sse_connection.hpp"
#include "messages/messages.hpp"

namespace agenttheo::http {

namespace {

constexpr auto manager_timeout = std::chrono::seconds{5};

class caf_bridge final : public actor_bridge {
public:
  caf_bridge(caf::actor_system& system, caf::actor manager)
    : system_(system), manager_(std::move(manager)) {
  }

  void open_stream(std::shared_ptr<sse_writer> writer, stream_request request,
                   std::string cors_origin) override {
    system_.spawn(sse_connection, std::move(writer), std::move(request),
                  std::move(cors_origin), manager_);
  }

  void list_sessions(
    std::function<void(std::optional<std::string>)> reply) override {
    // A one-shot actor: the asking socket must not block on the answer.
    system_.spawn([manager = manager_, reply = std::move(reply)](
                    caf::event_based_actor* self) {
      self->request(manager, manager_timeout, list_sessions_atom::value)
        .then([reply](std::string& json) { reply(std::move(json)); },
              [reply](caf::error&) { reply(std::nullopt); });
    });
  }

private:
  caf::actor_system& system_;
  caf::actor manager_;
};

} // namespace

std::unique_ptr<actor_bridge> make_caf_bridge(caf::actor_system& system,
                                              caf::actor manager) {
  return std::make_unique<caf_bridge>(system, std::move(manager));
}

} // namespace agenttheo::http
