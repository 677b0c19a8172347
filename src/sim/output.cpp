#include "shoplake/sim/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <system_error>

#include "shoplake/core/time.hpp"

namespace shoplake::sim {

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write");
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
}

OutputFile::OutputFile(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

void OutputFile::write(std::string_view data) {
  try {
    write_all(fd_, data);
  } catch (const std::system_error& error) {
    throw std::system_error(error.code(), "cannot write " + path_);
  }
}

void OutputFile::close() {
  const int fd = fd_;
  fd_ = -1;
  if (fd >= 0 && ::close(fd) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot write " + path_);
  }
}

namespace {

// 12345678 -> "12,345,678"
std::string with_thousands(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (auto pos = static_cast<std::ptrdiff_t>(digits.size()) - 3; pos > 0; pos -= 3) {
    digits.insert(static_cast<std::size_t>(pos), 1, ',');
  }
  return digits;
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string rate_text(const RunProgress& progress) {
  const double rate =
      progress.wall_seconds > 0 ? static_cast<double>(progress.events) / progress.wall_seconds : 0;
  return rate >= 1e6 ? fixed(rate / 1e6, 2) + "M events/s" : fixed(rate, 0) + " events/s";
}

std::string size_text(std::uint64_t bytes) {
  const auto amount = static_cast<double>(bytes);
  if (amount >= 1e9) return fixed(amount / 1e9, 2) + " GB";
  if (amount >= 1e6) return fixed(amount / 1e6, 1) + " MB";
  return fixed(amount / 1e3, 1) + " kB";
}

}  // namespace

ProgressLine::ProgressLine(std::FILE* stream)
    : stream_(stream), is_tty_(::isatty(fileno(stream))) {}

std::string ProgressLine::format_progress(const RunProgress& progress) {
  std::string line = "simulate: " + with_thousands(progress.events) + " events, " +
                     rate_text(progress) + ", " + size_text(progress.bytes);
  if (progress.events > 0)
    line += ", event time " + core::format_rfc3339_ms(progress.last_event_ms);
  return line;
}

std::string ProgressLine::format_summary(const RunProgress& progress) {
  std::string line = "simulate: wrote " + with_thousands(progress.events) + " events (" +
                     size_text(progress.bytes) + ") in " + fixed(progress.wall_seconds, 2) +
                     " s, " + rate_text(progress);
  if (progress.events > 0) {
    line += "; event time " + core::format_rfc3339_ms(progress.first_event_ms) + " to " +
            core::format_rfc3339_ms(progress.last_event_ms);
  }
  return line;
}

void ProgressLine::operator()(const RunProgress& progress) {
  if (progress.finished) {
    if (line_open_) std::fputs("\r\033[K", stream_);
    std::fprintf(stream_, "%s\n", format_summary(progress).c_str());
    line_open_ = false;
  } else if (is_tty_) {
    std::fprintf(stream_, "\r\033[K%s", format_progress(progress).c_str());
    line_open_ = true;
  } else {
    std::fprintf(stream_, "%s\n", format_progress(progress).c_str());
  }
  std::fflush(stream_);
}

}  // namespace shoplake::sim
