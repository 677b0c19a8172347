#include "shoplake/lake/log_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <string_view>
#include <system_error>

#include "json_text.hpp"
#include "shoplake/lake/durable_files.hpp"

namespace shoplake::lake {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kVersionDigits = 20;

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Digits only, at most 18 of them after leading zeros, so the value fits an int64.
std::optional<std::int64_t> parse_number(std::string_view digits) {
  if (!all_digits(digits)) return std::nullopt;
  std::size_t first = digits.find_first_not_of('0');
  if (first != std::string_view::npos && digits.size() - first > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// The kind, version and part numbers a log file name encodes, or nullopt for any other file
// (_last_checkpoint, temporaries, compacted logs, editors' leftovers).
std::optional<LogFile> classify(std::string_view name) {
  if (name.size() <= kVersionDigits || name[kVersionDigits] != '.') return std::nullopt;
  auto version = parse_number(name.substr(0, kVersionDigits));
  if (!version) return std::nullopt;
  std::string_view rest = name.substr(kVersionDigits);
  LogFile file;
  file.version = *version;
  if (rest == ".json") {
    file.kind = LogFileKind::commit;
    return file;
  }
  if (rest == ".crc") {
    file.kind = LogFileKind::checksum;
    return file;
  }
  constexpr std::string_view kCheckpoint = ".checkpoint.";
  if (!rest.starts_with(kCheckpoint)) return std::nullopt;
  rest.remove_prefix(kCheckpoint.size());
  if (rest == "parquet") {
    file.kind = LogFileKind::checkpoint;
    return file;
  }
  // <part:10>.<parts:10>.parquet
  if (rest.size() == 10 + 1 + 10 + 8 && rest[10] == '.' && rest.substr(21) == ".parquet") {
    auto part = parse_number(rest.substr(0, 10));
    auto parts = parse_number(rest.substr(11, 10));
    if (!part || !parts || *part < 1 || *parts < 1 || *part > *parts || *parts > 1'000'000'000) {
      return std::nullopt;
    }
    file.kind = LogFileKind::multipart_checkpoint;
    file.part = static_cast<int>(*part);
    file.parts = static_cast<int>(*parts);
    return file;
  }
  // <uuid>.json | <uuid>.parquet
  auto dot = rest.find('.');
  if (dot != std::string_view::npos && is_uuid(rest.substr(0, dot)) &&
      (rest.substr(dot) == ".json" || rest.substr(dot) == ".parquet")) {
    file.kind = LogFileKind::v2_checkpoint;
    return file;
  }
  return std::nullopt;
}

std::int64_t mtime_ms(const struct stat& info) {
  return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000 + info.st_mtim.tv_nsec / 1'000'000;
}

// The whole file; `missing` is the message for ENOENT, so a caller can say what was expected.
core::Result<std::string> read_file(const fs::path& path, const std::string& missing) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return core::Error{missing};
    return core::Error{fmt::format("cannot read {}: {}", path.string(), errno_text(errno))};
  }
  struct stat info {};
  std::string bytes;
  if (::fstat(fd.get(), &info) == 0 && info.st_size > 0) {
    bytes.reserve(static_cast<std::size_t>(info.st_size));
  }
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return core::Error{fmt::format("cannot read {}: {}", path.string(), errno_text(errno))};
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  return bytes;
}

// A name no other writer (thread or process) is likely to pick; create_temporary still retries on
// a collision, since a forked child inherits its parent's generator.
std::string random_suffix() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{
        device(), device(), static_cast<unsigned>(::getpid()),
        static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count())};
    return std::mt19937_64(seed);
  }();
  return fmt::format("{:016x}", generator());
}

// Writes `bytes` to the new file `fd` refers to (named `path`) and makes it durable.
core::Status write_durable(FileDescriptor& fd, const fs::path& path, const std::string& bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::unlink(path.c_str());
      return core::Error{fmt::format("cannot write {}: {}", path.string(), errno_text(error))};
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || fd.close() != 0) {
    int error = errno;
    ::unlink(path.c_str());
    return core::Error{fmt::format("cannot sync {}: {}", path.string(), errno_text(error))};
  }
  return core::ok_status();
}

// A new, durable `.<name>.<random>.tmp` in `directory` holding `bytes`: hidden and not a log
// file name, so a reader listing the log ignores it.
core::Result<fs::path> create_temporary(const fs::path& directory, const std::string& name,
                                        const std::string& bytes) {
  for (int attempt = 0;; ++attempt) {
    fs::path path = directory / fmt::format(".{}.{}.tmp", name, random_suffix());
    FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0 && errno == EEXIST && attempt < 8) continue;
    if (fd.get() < 0) {
      return core::Error{fmt::format("cannot create {}: {}", path.string(), errno_text(errno))};
    }
    if (auto written = write_durable(fd, path, bytes); !written) {
      return core::Error{written.error()};
    }
    return path;
  }
}

}  // namespace

LogStore::LogStore(std::filesystem::path table_root) : table_root_(std::move(table_root)) {}

std::filesystem::path LogStore::log_directory() const {
  return table_root_ / "_delta_log";
}

std::string LogStore::commit_file_name(std::int64_t version) {
  return fmt::format("{:020}.json", version);
}

std::string LogStore::checkpoint_file_name(std::int64_t version) {
  return fmt::format("{:020}.checkpoint.parquet", version);
}

core::Result<std::vector<LogFile>> LogStore::list() const {
  const fs::path directory = log_directory();
  // readdir + fstatat relative to the directory: a log of 10,000 commits is listed with no path
  // walks per file.
  std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(directory.c_str()), ::closedir);
  if (!handle) {
    return core::Error{fmt::format("cannot list {}: {}", directory.string(), errno_text(errno))};
  }
  std::vector<LogFile> files;
  while (const struct dirent* entry = ::readdir(handle.get())) {
    auto file = classify(entry->d_name);
    if (!file) continue;
    struct stat info {};
    // A file deleted between listing and stat (log cleanup) is simply not part of the log.
    if (::fstatat(::dirfd(handle.get()), entry->d_name, &info, 0) != 0 || !S_ISREG(info.st_mode)) {
      continue;
    }
    file->path = directory / entry->d_name;
    file->modification_time_ms = mtime_ms(info);
    files.push_back(std::move(*file));
  }
  std::sort(files.begin(), files.end(), [](const LogFile& a, const LogFile& b) {
    if (a.version != b.version) return a.version < b.version;
    if (a.kind != b.kind) return a.kind < b.kind;
    if (a.parts != b.parts) return a.parts < b.parts;
    if (a.part != b.part) return a.part < b.part;
    return a.path < b.path;
  });
  return files;
}

core::Result<std::string> LogStore::read_commit(std::int64_t version) const {
  fs::path path = log_directory() / commit_file_name(version);
  return read_file(path, fmt::format("commit {} is missing: no {}", version, path.string()));
}

core::Result<PutOutcome> LogStore::put_commit_if_absent(std::int64_t version,
                                                        const std::string& bytes) const {
  if (version < 0) return core::Error{fmt::format("invalid commit version {}", version)};
  const fs::path directory = log_directory();
  if (auto made = create_directories_durably(directory); !made) return core::Error{made.error()};
  const std::string name = commit_file_name(version);
  const fs::path target = directory / name;
  auto created = create_temporary(directory, name, bytes);
  if (!created) return core::Error{created.error()};
  const fs::path& temporary = created.value();
  // link() fails when the name exists, which is the put-if-absent a rename cannot give.
  int linked = ::link(temporary.c_str(), target.c_str());
  int link_error = errno;
  ::unlink(temporary.c_str());
  if (linked != 0) {
    if (link_error == EEXIST) return PutOutcome::already_exists;
    return core::Error{
        fmt::format("cannot create {}: {}", target.string(), errno_text(link_error))};
  }
  if (auto synced = sync_directory(directory); !synced) return core::Error{synced.error()};
  return PutOutcome::written;
}

core::Status LogStore::write_file_atomically(const std::string& name,
                                             const std::string& bytes) const {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return core::Error{fmt::format("invalid log file name \"{}\"", name)};
  }
  const fs::path directory = log_directory();
  if (auto made = create_directories_durably(directory); !made) return made;
  const fs::path target = directory / name;
  auto created = create_temporary(directory, name, bytes);
  if (!created) return core::Error{created.error()};
  const fs::path& temporary = created.value();
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    int error = errno;
    ::unlink(temporary.c_str());
    return core::Error{fmt::format("cannot replace {}: {}", target.string(), errno_text(error))};
  }
  return sync_directory(directory);
}

core::Result<std::optional<LastCheckpoint>> LogStore::read_last_checkpoint() const {
  const fs::path path = log_directory() / "_last_checkpoint";
  std::error_code error;
  if (!fs::exists(path, error)) return std::optional<LastCheckpoint>();
  auto bytes = read_file(path, fmt::format("{} disappeared while reading it", path.string()));
  if (!bytes) return core::Error{bytes.error()};
  detail::Json json;
  if (auto parse_error = detail::parse_json(bytes.value(), json)) {
    return core::Error{fmt::format("{}: {}", path.string(), *parse_error)};
  }
  auto integer = [&](const char* key) -> std::optional<std::int64_t> {
    auto found = json.find(key);
    if (found == json.end() || !found->is_number_integer()) return std::nullopt;
    if (found->is_number_unsigned() &&
        found->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return std::nullopt;
    }
    return found->get<std::int64_t>();
  };
  if (!json.is_object() || !integer("version")) {
    return core::Error{
        fmt::format("{}: expected an object with an integer \"version\"", path.string())};
  }
  LastCheckpoint checkpoint;
  checkpoint.version = *integer("version");
  checkpoint.size = integer("size").value_or(0);
  if (auto parts = integer("parts"); parts && *parts > 0 && *parts <= 1'000'000'000) {
    checkpoint.parts = static_cast<int>(*parts);
  }
  return std::optional<LastCheckpoint>(checkpoint);
}

core::Status LogStore::write_last_checkpoint(const LastCheckpoint& checkpoint) const {
  detail::Json json = detail::Json::object();
  json["version"] = checkpoint.version;
  json["size"] = checkpoint.size;
  if (checkpoint.parts) json["parts"] = *checkpoint.parts;
  return write_file_atomically("_last_checkpoint", detail::dump_json(json));
}

}  // namespace shoplake::lake
