// Random identifiers for things that must never collide across processes or restarts: query ids,
// Delta table ids.
#pragma once

#include <string>

namespace shoplake::core {

// A version 4 (random) UUID in its canonical 8-4-4-4-12 lower-case form.
std::string new_uuid_v4();

}  // namespace shoplake::core
