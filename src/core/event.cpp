#include "shoplake/core/event.hpp"

namespace shoplake::core {

std::optional<EventType> event_type_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kEventTypeCount; ++i) {
    if (kEventTypeNames[i] == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

Event::Event(const EventView& view)
    : event_id(view.event_id),
      type(view.type),
      ts_ms(view.ts_ms),
      user_id(view.user_id),
      session_id(view.session_id),
      source(view.source),
      product_id(view.product_id),
      category(view.category),
      price(view.price),
      quantity(view.quantity),
      order_id(view.order_id),
      currency(view.currency),
      properties(view.properties) {}

EventView Event::view() const {
  return EventView{event_id, type,  ts_ms,    user_id,  session_id, source,    product_id,
                   category, price, quantity, order_id, currency,   properties};
}

}  // namespace shoplake::core
