// Numbers as ClickHouse prints them: integers in decimal, floats in the shortest text that reads
// back to the same value, laid out like double-conversion's ToShortest with ClickHouse's settings
// (plain decimals for exponents -6..20, otherwise "1e300"/"1e-7"; "inf", "-inf", "nan").
#pragma once

#include <cstdint>
#include <string>

namespace shoplake::sql::formats {

void append_integer(std::string& out, std::int64_t value);
void append_integer(std::string& out, std::uint64_t value);
void append_float64(std::string& out, double value);
// A Float32 column's value, widened to double on its way here, printed with float's precision.
void append_float32(std::string& out, double value);

}  // namespace shoplake::sql::formats
