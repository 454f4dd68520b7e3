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

event_ptr encode(event raw) {
  auto result = std::make_shared<encoded_event>();
  result->sse_frame = make_sse_frame(raw);
  result->envelope = make_envelope(raw);
  if (raw.type == event_type::screenshot)
    result->ws_binary = make_ws_binary(raw);
  result->raw = std::move(raw);
  return result;
}

} // namespace agenttheo
