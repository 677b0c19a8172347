#include "checkpoint_file.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "state_codec.hpp"

namespace shoplake::stream {
namespace {

constexpr std::uint64_t kFileMagic = 0x31504b4354534c53ULL;  // "SLSTCKP1"
constexpr const char* kFileName = "checkpoint";
constexpr const char* kTemporaryName = "checkpoint.tmp";

std::uint64_t checksum(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes lengths as uInt: feed large states in pieces.
  while (!bytes.empty()) {
    const auto piece = static_cast<uInt>(std::min<std::size_t>(bytes.size(), 1U << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), piece);
    bytes.remove_prefix(piece);
  }
  return crc;
}

std::string os_error(const std::string& what, const std::filesystem::path& path) {
  return fmt::format("{} {}: {}", what, path.string(), std::strerror(errno));
}

core::Status write_and_sync(const std::filesystem::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return core::Error{os_error("cannot create", path)};
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto error = core::Error{os_error("cannot write", path)};
      ::close(fd);
      return error;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto error = core::Error{os_error("cannot fsync", path)};
    ::close(fd);
    return error;
  }
  ::close(fd);
  return core::ok_status();
}

core::Status sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return core::Error{os_error("cannot open", directory)};
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) return core::Error{os_error("cannot fsync", directory)};
  return core::ok_status();
}

}  // namespace

core::Status save_checkpoint(const std::filesystem::path& directory, std::uint64_t offset,
                             std::string_view state) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return core::Error{fmt::format("cannot create {}: {}", directory.string(), error.message())};
  }
  std::string bytes;
  bytes.reserve(state.size() + 32);
  StateWriter writer(bytes);
  writer.u64(kFileMagic);
  writer.u64(offset);
  writer.u64(state.size());
  writer.u64(checksum(state));
  bytes.append(state);
  const auto temporary = directory / kTemporaryName;
  if (auto written = write_and_sync(temporary, bytes); !written) return written;
  std::filesystem::rename(temporary, directory / kFileName, error);
  if (error) {
    return core::Error{
        fmt::format("cannot replace {}: {}", (directory / kFileName).string(), error.message())};
  }
  return sync_directory(directory);
}

core::Result<std::optional<Checkpoint>> load_checkpoint(const std::filesystem::path& directory) {
  const auto path = directory / kFileName;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    if (!std::filesystem::exists(path)) return std::optional<Checkpoint>();
    return core::Error{os_error("cannot open", path)};
  }
  const std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  StateReader reader(bytes);
  const std::uint64_t magic = reader.u64();
  Checkpoint checkpoint;
  checkpoint.offset = reader.u64();
  const std::uint64_t size = reader.u64();
  const std::uint64_t expected_checksum = reader.u64();
  constexpr std::size_t kHeaderBytes = 32;
  if (!reader.ok() || magic != kFileMagic || bytes.size() - kHeaderBytes != size) {
    spdlog::warn("stream: {} is not a complete checkpoint; ignoring it", path.string());
    return std::optional<Checkpoint>();
  }
  checkpoint.state = bytes.substr(kHeaderBytes);
  if (checksum(checkpoint.state) != expected_checksum) {
    spdlog::warn("stream: {} fails its checksum; ignoring it", path.string());
    return std::optional<Checkpoint>();
  }
  return std::optional<Checkpoint>(std::move(checkpoint));
}

}  // namespace shoplake::stream
