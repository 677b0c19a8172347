// Fixed-width little-endian fields for the stream engine's checkpoint. The reader never reads past
// its input: a short or damaged checkpoint turns into ok() == false, and the engine rebuilds its
// state from the log instead.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "flat_hash_set.hpp"

namespace shoplake::stream {

static_assert(std::endian::native == std::endian::little, "checkpoints are little-endian");

class StateWriter {
 public:
  explicit StateWriter(std::string& out) : out_(out) {}
  void u64(std::uint64_t value) { out_.append(reinterpret_cast<const char*>(&value), 8); }
  void i64(std::int64_t value) { u64(static_cast<std::uint64_t>(value)); }
  void f64(double value) { u64(std::bit_cast<std::uint64_t>(value)); }
  void string(std::string_view value) {
    u64(value.size());
    out_.append(value);
  }
  void set(const FlatHashSet& keys) {
    u64(keys.size());
    keys.for_each([&](std::uint64_t key) { u64(key); });
  }

 private:
  std::string& out_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return in_.empty(); }

  std::uint64_t u64() {
    std::uint64_t value = 0;
    if (in_.size() < 8) {
      ok_ = false;
      return 0;
    }
    std::memcpy(&value, in_.data(), 8);
    in_.remove_prefix(8);
    return value;
  }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  double f64() { return std::bit_cast<double>(u64()); }
  std::string string() {
    const std::uint64_t size = u64();
    if (size > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string value(in_.substr(0, size));
    in_.remove_prefix(size);
    return value;
  }
  void set(FlatHashSet& keys) {
    const std::uint64_t size = u64();
    if (size > in_.size() / 8) {
      ok_ = false;
      return;
    }
    for (std::uint64_t i = 0; i < size; ++i) keys.insert(u64());
  }

 private:
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace shoplake::stream
