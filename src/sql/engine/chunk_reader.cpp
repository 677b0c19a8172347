#include "chunk_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

std::string to_text(UInt128 value) {
  if (value <= std::numeric_limits<std::uint64_t>::max()) {
    char digits[20];
    const auto written =
        std::to_chars(digits, digits + sizeof(digits), static_cast<std::uint64_t>(value));
    return std::string(digits, written.ptr);
  }
  char digits[40];
  char* const end = digits + sizeof(digits);
  char* cursor = end;
  // A 128-bit division is a library call per digit, and a dashboard's sums (HUGEINT in DuckDB)
  // nearly always fit in 64 bits: only the digits above those are divided the slow way.
  while (value > std::numeric_limits<std::uint64_t>::max()) {
    *--cursor = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  }
  auto narrow = static_cast<std::uint64_t>(value);
  do {
    *--cursor = static_cast<char>('0' + narrow % 10);
    narrow /= 10;
  } while (narrow != 0);
  return std::string(cursor, end);
}

std::string to_text(Int128 value) {
  if (value >= 0) return to_text(static_cast<UInt128>(value));
  return "-" + to_text(static_cast<UInt128>(0) - static_cast<UInt128>(value));
}

// An unscaled decimal as exact text: 1250 with scale 2 -> "12.50".
std::string decimal_text(Int128 unscaled, std::uint8_t scale) {
  std::string digits =
      to_text(unscaled < 0 ? static_cast<UInt128>(0) - static_cast<UInt128>(unscaled)
                           : static_cast<UInt128>(unscaled));
  if (scale > 0) {
    if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, 1, '.');
  }
  return unscaled < 0 ? "-" + digits : digits;
}

Int128 hugeint_value(const duckdb_hugeint& value) {
  return static_cast<Int128>((static_cast<UInt128>(static_cast<std::uint64_t>(value.upper)) << 64) |
                             value.lower);
}

bool reads_natively(duckdb_logical_type type) {
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_ENUM:
      return true;
    default:
      return false;
  }
}

// One result vector's memory, taken once per vector: reading each cell through the C API
// (the data and validity pointers, the string accessors) was a call into libduckdb per cell,
// a sixth of the reader's time on a 2,000-row answer.
struct VectorView {
  const char* data;
  const std::uint64_t* validity;

  bool valid(idx_t row) const {
    return validity == nullptr || ((validity[row / 64] >> (row % 64)) & 1) != 0;
  }
  template <typename T>
  T at(idx_t row) const {
    T value;
    std::memcpy(&value, data + row * sizeof(T), sizeof(T));
    return value;
  }
  // DuckDB's string_t: up to 12 bytes inline, longer ones behind a pointer (duckdb.h).
  std::string_view string_at(idx_t row) const {
    const auto* string = reinterpret_cast<const duckdb_string_t*>(data) + row;
    const std::uint32_t length = string->value.inlined.length;
    return length <= sizeof(string->value.inlined.inlined)
               ? std::string_view(string->value.inlined.inlined, length)
               : std::string_view(string->value.pointer.ptr, length);
  }
};

template <typename T, typename Target>
void copy_values(const VectorView& view, idx_t first, idx_t count, std::vector<Target>& target) {
  const std::size_t base = target.size();
  target.resize(base + count);
  Target* values = target.data() + base;
  for (idx_t i = 0; i < count; ++i) values[i] = static_cast<Target>(view.at<T>(first + i));
}

}  // namespace

std::string text_cast_target(duckdb_logical_type type) {
  if (duckdb_get_type_id(type) == DUCKDB_TYPE_LIST) {
    duck::LogicalType child(duckdb_list_type_child_type(type));
    std::string child_target = text_cast_target(child.get());
    return child_target.empty() ? std::string() : child_target + "[]";
  }
  return reads_natively(type) ? std::string() : std::string("VARCHAR");
}

ColumnReader::ColumnReader(duckdb_logical_type type) : type_id_(duckdb_get_type_id(type)) {
  if (type_id_ == DUCKDB_TYPE_DECIMAL) {
    decimal_storage_ = duckdb_decimal_internal_type(type);
    decimal_scale_ = duckdb_decimal_scale(type);
  } else if (type_id_ == DUCKDB_TYPE_LIST) {
    duck::LogicalType child(duckdb_list_type_child_type(type));
    element_ = std::make_unique<ColumnReader>(child.get());
  } else if (type_id_ == DUCKDB_TYPE_ENUM) {
    enum_storage_ = duckdb_enum_internal_type(type);
    for (idx_t i = 0; i < duckdb_enum_dictionary_size(type); ++i) {
      duck::DuckString member(duckdb_enum_dictionary_value(type, i));
      enum_members_.emplace_back(member ? member.get() : "");
    }
  }
}

// Room for `count` more rows in the vector append() fills for this type, so that a chunk of 2,048
// rows costs one allocation a column rather than a dozen doublings (malloc and copying were a
// tenth of a 2,000-row dashboard answer).
void ColumnReader::reserve(ColumnData& out, std::size_t count) const {
  out.null.reserve(out.null.size() + count);
  switch (type_id_) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      out.i64.reserve(out.i64.size() + count);
      break;
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
      out.u64.reserve(out.u64.size() + count);
      break;
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
      out.f64.reserve(out.f64.size() + count);
      break;
    case DUCKDB_TYPE_LIST:
      out.offsets.reserve(out.offsets.size() + count + 1);
      break;
    default:
      out.str.reserve(out.str.size() + count);
      break;
  }
}

std::size_t ColumnReader::append(duckdb_vector vector, idx_t first, idx_t count,
                                 ColumnData& out) const {
  reserve(out, count);
  const VectorView view{static_cast<const char*>(duckdb_vector_get_data(vector)),
                        duckdb_vector_get_validity(vector)};
  const idx_t end = first + count;
  const std::size_t null_base = out.null.size();
  out.null.resize(null_base + count, 0);
  if (view.validity != nullptr) {
    for (idx_t i = 0; i < count; ++i) out.null[null_base + i] = view.valid(first + i) ? 0 : 1;
  }
  std::size_t bytes = 8 * count;
  switch (type_id_) {
    case DUCKDB_TYPE_BOOLEAN:
      for (idx_t row = first; row < end; ++row) {
        out.u64.push_back(view.valid(row) && view.at<bool>(row) ? 1 : 0);
      }
      break;
    case DUCKDB_TYPE_TINYINT:
      copy_values<std::int8_t>(view, first, count, out.i64);
      break;
    case DUCKDB_TYPE_SMALLINT:
      copy_values<std::int16_t>(view, first, count, out.i64);
      break;
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_DATE:
      copy_values<std::int32_t>(view, first, count, out.i64);
      break;
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      copy_values<std::int64_t>(view, first, count, out.i64);
      break;
    case DUCKDB_TYPE_UTINYINT:
      copy_values<std::uint8_t>(view, first, count, out.u64);
      break;
    case DUCKDB_TYPE_USMALLINT:
      copy_values<std::uint16_t>(view, first, count, out.u64);
      break;
    case DUCKDB_TYPE_UINTEGER:
      copy_values<std::uint32_t>(view, first, count, out.u64);
      break;
    case DUCKDB_TYPE_UBIGINT:
      copy_values<std::uint64_t>(view, first, count, out.u64);
      break;
    case DUCKDB_TYPE_FLOAT:
      copy_values<float>(view, first, count, out.f64);
      break;
    case DUCKDB_TYPE_DOUBLE:
      copy_values<double>(view, first, count, out.f64);
      break;
    case DUCKDB_TYPE_HUGEINT:
      for (idx_t row = first; row < end; ++row) {
        out.str.push_back(view.valid(row) ? to_text(hugeint_value(view.at<duckdb_hugeint>(row)))
                                          : "");
      }
      break;
    case DUCKDB_TYPE_UHUGEINT:
      for (idx_t row = first; row < end; ++row) {
        const auto value = view.at<duckdb_uhugeint>(row);
        out.str.push_back(view.valid(row)
                              ? to_text((static_cast<UInt128>(value.upper) << 64) | value.lower)
                              : "");
      }
      break;
    case DUCKDB_TYPE_DECIMAL:
      for (idx_t row = first; row < end; ++row) {
        if (!view.valid(row)) {
          out.str.emplace_back();
          continue;
        }
        Int128 unscaled = 0;
        switch (decimal_storage_) {
          case DUCKDB_TYPE_SMALLINT:
            unscaled = view.at<std::int16_t>(row);
            break;
          case DUCKDB_TYPE_INTEGER:
            unscaled = view.at<std::int32_t>(row);
            break;
          case DUCKDB_TYPE_BIGINT:
            unscaled = view.at<std::int64_t>(row);
            break;
          default:
            unscaled = hugeint_value(view.at<duckdb_hugeint>(row));
            break;
        }
        out.str.push_back(decimal_text(unscaled, decimal_scale_));
      }
      break;
    case DUCKDB_TYPE_ENUM:
      for (idx_t row = first; row < end; ++row) {
        if (!view.valid(row)) {
          out.str.emplace_back();
          continue;
        }
        const std::size_t position =
            enum_storage_ == DUCKDB_TYPE_UTINYINT    ? view.at<std::uint8_t>(row)
            : enum_storage_ == DUCKDB_TYPE_USMALLINT ? view.at<std::uint16_t>(row)
                                                     : view.at<std::uint32_t>(row);
        bytes += out.str
                     .emplace_back(position < enum_members_.size() ? enum_members_[position]
                                                                   : std::string())
                     .size();
      }
      break;
    case DUCKDB_TYPE_LIST: {
      if (out.offsets.empty()) out.offsets.push_back(0);
      if (!out.element) out.element = std::make_unique<ColumnData>();
      duckdb_vector elements = duckdb_list_vector_get_child(vector);
      for (idx_t row = first; row < end; ++row) {
        const auto entry = view.at<duckdb_list_entry>(row);
        const idx_t length = view.valid(row) ? entry.length : 0;
        if (length > 0) bytes += element_->append(elements, entry.offset, length, *out.element);
        out.offsets.push_back(out.offsets.back() + static_cast<std::uint32_t>(length));
      }
      break;
    }
    default:  // VARCHAR and BLOB: bytes as they are
      for (idx_t row = first; row < end; ++row) {
        if (!view.valid(row)) {
          out.str.emplace_back();
          continue;
        }
        bytes += out.str.emplace_back(view.string_at(row)).size();
      }
      break;
  }
  return bytes;
}

}  // namespace shoplake::sql
