#include "messages/event.hpp"

#include "messages/json_writer.hpp"

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
    .key("data")
    .raw(raw.data)
    .end_object();
  return out.str();
}

} // namespace

event_ptr encode(event raw) {
  auto result = std::make_shared<encoded_event>();
  result->sse_frame = make_sse_frame(raw);
  result->envelope = make_envelope(raw);
  result->raw = std::move(raw);
  return result;
}

} // namespace agenttheo
