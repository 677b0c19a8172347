#include "origin_index.hpp"

#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "crc32c.hpp"
#include "file_io.hpp"

namespace shoplake::log {
namespace {

// The origins file: magic, entry count, then per entry key length, value length, key, value;
// last the CRC32C of everything before it. Integers are 32-bit little-endian.
constexpr std::string_view kOriginsMagic = "SLORIGN1";

void put_u32(std::string& out, std::uint32_t value) {
  char bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  out.append(bytes, sizeof value);
}

class OriginsFileParser {
 public:
  explicit OriginsFileParser(std::string_view contents) : rest_(contents) {}

  bool take_u32(std::uint32_t& value) {
    if (rest_.size() < sizeof value) return false;
    std::memcpy(&value, rest_.data(), sizeof value);
    rest_.remove_prefix(sizeof value);
    return true;
  }
  bool take(std::size_t size, std::string_view& out) {
    if (rest_.size() < size) return false;
    out = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return true;
  }
  bool finished() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace

OriginIndex::OriginIndex(std::filesystem::path file) : file_(std::move(file)) {}

core::Status OriginIndex::load() {
  std::error_code error;
  if (!std::filesystem::exists(file_, error)) {
    if (error) return system_error("cannot stat", file_, error.value());
    return core::ok_status();
  }
  auto contents = read_whole_file(file_);
  if (!contents) return core::Error{contents.error()};
  const std::string_view text = contents.value();
  const auto damaged = [this](std::string_view what) {
    return core::Error{
        fmt::format("event log: origins file {} is damaged: {}", file_.string(), what)};
  };
  if (text.size() < kOriginsMagic.size() + 2 * sizeof(std::uint32_t) ||
      !text.starts_with(kOriginsMagic)) {
    return damaged("no origins header");
  }
  const std::string_view body = text.substr(0, text.size() - sizeof(std::uint32_t));
  std::uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, text.data() + body.size(), sizeof stored_crc);
  if (crc32c::compute(body) != stored_crc) return damaged("checksum mismatch");

  OriginsFileParser parser(body.substr(kOriginsMagic.size()));
  std::uint32_t count = 0;
  if (!parser.take_u32(count)) return damaged("no entry count");
  std::lock_guard lock(mutex_);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t key_length = 0;
    std::uint32_t value_length = 0;
    std::string_view key;
    std::string_view value;
    if (!parser.take_u32(key_length) || !parser.take_u32(value_length) ||
        !parser.take(key_length, key) || !parser.take(value_length, value)) {
      return damaged(fmt::format("entry {} of {} is cut short", i + 1, count));
    }
    entries_.insert_or_assign(std::string(key), Entry{std::string(value), 0, true});
  }
  if (!parser.finished()) return damaged("bytes after the last entry");
  return core::ok_status();
}

void OriginIndex::apply(std::string_view key, std::string_view value, std::uint64_t segment_base) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(key);
  if (found == entries_.end()) {
    entries_.emplace(std::string(key), Entry{std::string(value), segment_base, false});
    return;
  }
  found->second.value.assign(value);
  found->second.segment_base = segment_base;
  found->second.persisted = false;
}

void OriginIndex::apply(std::vector<OriginUpdate>& updates) {
  std::lock_guard lock(mutex_);
  for (auto& update : updates) {
    auto& entry = entries_[std::move(update.key)];
    entry.value = std::move(update.value);
    entry.segment_base = update.segment_base;
    entry.persisted = false;
  }
}

std::map<std::string, std::string> OriginIndex::latest() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::string> values;
  for (const auto& [key, entry] : entries_) values.emplace(key, entry.value);
  return values;
}

std::string OriginIndex::encode_locked() const {
  std::string out(kOriginsMagic);
  put_u32(out, static_cast<std::uint32_t>(entries_.size()));
  for (const auto& [key, entry] : entries_) {
    put_u32(out, static_cast<std::uint32_t>(key.size()));
    put_u32(out, static_cast<std::uint32_t>(entry.value.size()));
    out += key;
    out += entry.value;
  }
  put_u32(out, crc32c::compute(out));
  return out;
}

core::Status OriginIndex::persist_before_deleting_through(std::uint64_t last_doomed_base) {
  std::lock_guard lock(mutex_);
  bool needed = false;
  for (const auto& [key, entry] : entries_) {
    if (!entry.persisted && entry.segment_base <= last_doomed_base) needed = true;
  }
  if (!needed) return core::ok_status();
  if (auto written = replace_file_atomically(file_, as_bytes(encode_locked())); !written) {
    return written;
  }
  for (auto& [key, entry] : entries_) entry.persisted = true;
  return core::ok_status();
}

}  // namespace shoplake::log
