// How many terminal columns text takes, as ClickHouse's Pretty formats reckon it to pad cells.
#pragma once

#include <cstddef>
#include <string_view>

namespace shoplake::sql::formats {

// Control characters, combining marks and invalid bytes take no column, East Asian wide
// characters two; a tab reaches the next multiple of 8 counted from `prefix` columns before
// the text. Emoji that Unicode 9 widened count as one column, as in 18.16.
std::size_t display_width(std::string_view text, std::size_t prefix = 0);

// Unicode code points, counting every byte that is not a UTF-8 continuation byte.
std::size_t code_points(std::string_view text);

}  // namespace shoplake::sql::formats
