// The collector's body handling: shape detection (NDJSON, array, pretty object), per-element
// parsing, encoding and the log append, on arbitrary bytes. Whatever the body, the counts the
// client is told must match what the log holds.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "shoplake/core/event_codec.hpp"
#include "shoplake/ingest/ingestor.hpp"

namespace {

using namespace shoplake;

struct Harness {
  std::filesystem::path directory;
  std::unique_ptr<log::EventLog> event_log;
  std::unique_ptr<ingest::Ingestor> ingestor;

  Harness() {
    directory = std::filesystem::temp_directory_path() /
                ("shoplake-collector-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(directory);
    log::LogOptions options;
    options.directory = directory;
    options.durability.mode = log::FsyncMode::never;
    event_log = std::move(log::EventLog::open(options)).value();
    ingest::IngestOptions ingest_options;
    ingest_options.validation.now_ms = 1'764'000'000'000;
    ingest_options.max_events_per_body = 1000;
    ingestor = std::make_unique<ingest::Ingestor>(*event_log, ingest_options);
  }
  ~Harness() {
    ingestor.reset();
    event_log.reset();
    std::filesystem::remove_all(directory);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness harness;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const std::uint64_t before = harness.event_log->durable_end_offset();
  const ingest::IngestResult result = harness.ingestor->ingest(body);
  const std::uint64_t stored = harness.event_log->durable_end_offset() - before;
  if (result.status == ingest::IngestStatus::stored) {
    if (stored != result.accepted + result.rejected) __builtin_trap();
    if (result.errors.size() > result.rejected) __builtin_trap();
  } else if (stored != 0) {
    __builtin_trap();  // a refused body must store nothing
  }
  return 0;
}
