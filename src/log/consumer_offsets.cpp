#include "consumer_offsets.hpp"

#include <algorithm>
#include <charconv>
#include <system_error>

#include <fmt/format.h>

#include "file_io.hpp"

namespace shoplake::log {
namespace {

constexpr std::size_t kMaxConsumerNameLength = 128;

bool is_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

core::Result<std::uint64_t> parse_offset_file(const std::filesystem::path& path) {
  auto contents = read_whole_file(path);
  if (!contents) return core::Error{contents.error()};
  std::string_view text = contents.value();
  if (text.ends_with('\n')) text.remove_suffix(1);
  std::uint64_t offset = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), offset);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
    return core::Error{fmt::format("event log: consumer file {} does not hold an offset: \"{}\"",
                                   path.string(), text.substr(0, 40))};
  }
  return offset;
}

}  // namespace

core::Status validate_consumer_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxConsumerNameLength || name.front() == '.' ||
      name.ends_with(kTemporarySuffix) ||
      !std::all_of(name.begin(), name.end(), is_name_character)) {
    return core::Error{fmt::format(
        "event log: bad consumer name \"{}\": use 1-{} of letters, digits, '.', '_', '-', not "
        "starting with '.' nor ending in \"{}\"",
        name, kMaxConsumerNameLength, kTemporarySuffix)};
  }
  return core::ok_status();
}

ConsumerOffsets::ConsumerOffsets(std::filesystem::path directory)
    : directory_(std::move(directory)) {}

core::Status ConsumerOffsets::load() {
  if (auto created = ensure_directory(directory_); !created) return created;
  std::error_code error;
  std::map<std::string, std::uint64_t, std::less<>> loaded;
  for (std::filesystem::directory_iterator entry(directory_, error), end; !error && entry != end;
       entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    if (!validate_consumer_name(name)) continue;
    auto offset = parse_offset_file(entry->path());
    if (!offset) return core::Error{offset.error()};
    loaded.emplace(name, offset.value());
  }
  if (error) return system_error("cannot list", directory_, error.value());
  std::lock_guard lock(offsets_mutex_);
  offsets_ = std::move(loaded);
  return core::ok_status();
}

core::Status ConsumerOffsets::persist(std::string_view name, std::uint64_t offset) {
  return replace_file_atomically(directory_ / name, as_bytes(fmt::format("{}\n", offset)));
}

core::Status ConsumerOffsets::register_consumer(std::string_view name, std::uint64_t offset) {
  if (auto valid = validate_consumer_name(name); !valid) return valid;
  std::lock_guard file_lock(file_mutex_);
  if (this->offset(name)) return core::ok_status();
  if (auto persisted = persist(name, offset); !persisted) return persisted;
  std::lock_guard lock(offsets_mutex_);
  offsets_.emplace(std::string(name), offset);
  return core::ok_status();
}

core::Status ConsumerOffsets::commit(std::string_view name, std::uint64_t offset) {
  std::lock_guard file_lock(file_mutex_);
  if (!this->offset(name)) {
    return core::Error{fmt::format(
        "event log: consumer \"{}\" is not registered (register_consumer first)", name)};
  }
  if (auto persisted = persist(name, offset); !persisted) return persisted;
  std::lock_guard lock(offsets_mutex_);
  offsets_.find(name)->second = offset;
  return core::ok_status();
}

std::optional<std::uint64_t> ConsumerOffsets::offset(std::string_view name) const {
  std::lock_guard lock(offsets_mutex_);
  const auto found = offsets_.find(name);
  if (found == offsets_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::uint64_t> ConsumerOffsets::slowest() const {
  std::lock_guard lock(offsets_mutex_);
  std::optional<std::uint64_t> slowest;
  for (const auto& [name, offset] : offsets_) {
    if (!slowest || offset < *slowest) slowest = offset;
  }
  return slowest;
}

}  // namespace shoplake::log
