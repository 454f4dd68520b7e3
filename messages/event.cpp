#include "messages/event.hpp"

#include "messages/binary_frame.hpp"
#include "util/base64.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

std::string make_sse_frame(const event& raw) {
  auto type = to_string(raw.type);
  auto id = std::to_string(raw.id);
  std::string frame;
  frame.reserve(raw.data.size() + type.size() + id.size() + 24);
  frame += "id: ";
  frame += id;
  frame += "\nevent: ";
  frame += type;
  frame += "\ndata: ";
  frame += raw.data;
  frame += "\n\n";
  return frame;
}

std::string make_envelope(const event& raw) {
  json_writer out;
  out.begin_object()
    .field("type", to_string(raw.type))
    .field("id", raw.id)
    .field("session", raw.session)
    .field("messageId", raw.message_id)
    .field("ts", raw.ts)
    .key("data")
    .raw(raw.data)
    .end_object();
  return out.str();
}

/// The screenshot's binary WebSocket form, or empty if its data has no image.
std::string make_ws_binary(const event& raw) {
  json_document doc{raw.data};
  json_reader data{doc};
  auto encoded = data.text("image");
  if (!encoded)
    return {};
  auto image = base64_decode(*encoded);
  if (!image)
    return {};
  auto text = [&](const char* name) {
    return data.text(name).value_or(std::string_view{});
  };
  json_writer header;
  header.begin_object()
    .field("type", to_string(raw.type))
    .field("id", raw.id)
    .field("session", raw.session)
    .field("messageId", raw.message_id)
    .field("ts", raw.ts)
    .field("mime", text("mime"))
    .field("url", text("url"))
    .field("bytes", static_cast<std::uint64_t>(image->size()))
    .end_object();
  return make_binary_frame(header.str(), *image);
}

} // namespace

encoded_event::encoded_event(event raw_event, std::string frame)
    : raw(std::move(raw_event)), sse_frame(std::move(frame)) {}

const std::string& encoded_event::envelope() const {
  std::call_once(envelope_once_, [this] { envelope_ = make_envelope(raw); });
  return envelope_;
}

const std::string& encoded_event::ws_binary() const {
  std::call_once(binary_once_, [this] {
    if (raw.type == event_type::screenshot)
      ws_binary_ = make_ws_binary(raw);
  });
  return ws_binary_;
}

std::size_t encoded_event::footprint() const {
  // The envelope is the data with the event's fields around it; the binary
  // form (screenshots) is the image decoded (3 bytes per 4 of base64) after
  // a header of those fields.
  constexpr std::size_t envelope_fields = 128;
  auto fields = raw.session.size() + raw.message_id.size() + envelope_fields;
  auto envelope_bytes = raw.data.size() + fields;
  auto binary_bytes
    = raw.type == event_type::screenshot ? raw.data.size() * 3 / 4 + fields : 0;
  return sizeof(*this) + raw.data.size() + sse_frame.size() + envelope_bytes
         + binary_bytes + raw.session.size() + raw.message_id.size();
}

event_ptr encode(event raw) {
  auto frame = make_sse_frame(raw);
  return std::make_shared<encoded_event>(std::move(raw), std::move(frame));
}

} // namespace agenttheo
