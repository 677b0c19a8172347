// The constructors of the formats, one per file, that make_output_format picks from.
#pragma once

#include <cstdint>
#include <memory>

#include "shoplake/sql/output_format.hpp"

namespace shoplake::sql::formats {

enum class HeaderRows : std::uint8_t { none, names, names_and_types };

std::unique_ptr<OutputFormat> make_tab_separated(HeaderRows header);
std::unique_ptr<OutputFormat> make_csv(HeaderRows header);
std::unique_ptr<OutputFormat> make_json();
std::unique_ptr<OutputFormat> make_json_compact();
std::unique_ptr<OutputFormat> make_json_each_row();
std::unique_ptr<OutputFormat> make_pretty();
std::unique_ptr<OutputFormat> make_pretty_compact();
std::unique_ptr<OutputFormat> make_vertical();
std::unique_ptr<OutputFormat> make_null();

}  // namespace shoplake::sql::formats
