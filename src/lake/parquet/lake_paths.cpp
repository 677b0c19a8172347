#include "lake_paths.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <random>

#include "shoplake/lake/actions.hpp"

namespace shoplake::lake::parquet_detail {

namespace fs = std::filesystem;

fs::path normalized_root(const fs::path& table_root) {
  std::error_code error;
  fs::path absolute = fs::absolute(table_root, error);
  if (error) absolute = table_root;
  fs::path normal = absolute.lexically_normal();
  return normal.has_filename() ? normal : normal.parent_path();
}

std::string random_uuid() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  std::uint64_t high = generator();
  std::uint64_t low = generator();
  high = (high & ~0xF000ULL) | 0x4000ULL;            // version 4
  low = (low & ~(0xC0ULL << 56)) | (0x80ULL << 56);  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFF,
                     high & 0xFFFF, low >> 48, low & 0xFFFFFFFFFFFFULL);
}

std::string relative_inside(const fs::path& root, const fs::path& child) {
  const fs::path normal = child.lexically_normal();
  const fs::path relative = normal.lexically_relative(root);
  if (relative.empty() || relative == "." || *relative.begin() == "..") return {};
  return relative.generic_string();
}

namespace {

bool has_uri_scheme(std::string_view path) {
  const auto colon = path.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = path[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  return true;
}

// The local path of a `file:` URI: file:///a/b, file://localhost/a/b, file:/a/b.
std::optional<std::string> file_uri_path(std::string_view uri) {
  std::string_view rest = uri.substr(5);
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    if (rest.starts_with("localhost/")) rest.remove_prefix(9);
    if (!rest.starts_with("/")) return std::nullopt;  // another host
  }
  if (!rest.starts_with("/")) return std::nullopt;
  return std::string(rest);
}

}  // namespace

core::Result<fs::path> resolve_data_file(const fs::path& root, std::string_view logged_path) {
  const bool is_file_uri = logged_path.size() >= 5 && (logged_path.substr(0, 5) == "file:" ||
                                                       logged_path.substr(0, 5) == "FILE:");
  if (!is_file_uri && has_uri_scheme(logged_path)) {
    return core::Error{fmt::format(
        "data file \"{}\" is not on the local file system; shoplake reads local tables only",
        logged_path)};
  }
  std::string local;
  if (is_file_uri) {
    auto path = file_uri_path(logged_path);
    if (!path) return core::Error{fmt::format("data file URI \"{}\" is not local", logged_path)};
    auto decoded = decode_path(*path);
    if (!decoded) return core::Error{decoded.error()};
    local = std::move(decoded).value();
  } else {
    auto decoded = decode_path(logged_path);
    if (!decoded) return core::Error{decoded.error()};
    local = std::move(decoded).value();
  }
  const fs::path candidate = fs::path(local).is_absolute() ? fs::path(local) : root / local;
  const std::string inside = relative_inside(root, candidate);
  if (inside.empty()) {
    return core::Error{
        fmt::format("data file \"{}\" lies outside the table root {}", logged_path, root.string())};
  }
  return root / inside;
}

core::Result<std::int64_t> modification_time_ms(const fs::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    return core::Error{fmt::format("cannot stat {}: {}", file.string(), std::strerror(errno))};
  }
  return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000 + info.st_mtim.tv_nsec / 1'000'000;
}

}  // namespace shoplake::lake::parquet_detail
