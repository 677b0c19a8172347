// Turns one request body (or one Kafka batch) into log records: parse and validate every event,
// encode the accepted ones and the rejections, append both to the event log as one durable unit.
// The transport (HTTP, Kafka) sits outside; this is the part they share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/event_parser.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::ingest {

struct IngestOptions {
  core::ValidationOptions validation;
  std::uint64_t max_events_per_body = 100'000;  // a larger body is refused whole
  std::size_t max_reported_errors = 100;        // rejections listed back to the client
  // For a stream with nobody to answer (Kafka): every body is NDJSON whatever its first character,
  // and a body without a single JSON object is stored as rejections instead of refused, so that
  // no line is lost.
  bool ndjson_stream = false;
};

enum class BodyShape : std::uint8_t {
  ndjson,  // one object per line (also a single one-line object)
  array,   // a JSON array of objects; "line" numbers are 1-based element positions
  object,  // one object spread over several lines
};

struct ReportedError {
  std::uint64_t line = 0;
  std::string field;
  std::string error;
};

enum class IngestStatus : std::uint8_t {
  stored,      // every accepted event and every rejection is durable in the log
  not_json,    // the body holds no JSON object at all: nothing stored
  too_many,    // more events than max_events_per_body: nothing stored
  overloaded,  // the log refused for now: nothing stored, retry later
  failed,      // the log failed: nothing acknowledged
};

struct IngestResult {
  IngestStatus status = IngestStatus::failed;
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::vector<ReportedError> errors;  // the first max_reported_errors rejections
  std::string message;                // for every status but stored
  std::uint64_t first_offset = 0;     // log offsets of what was stored
  std::uint64_t end_offset = 0;
};

// The JSON shape of a body, judged from its first non-blank character and lines.
BodyShape detect_shape(std::string_view body);

// One per thread: it owns a parser and encode buffers that grow once and are reused.
class Ingestor {
 public:
  Ingestor(log::EventLog& log, IngestOptions options);
  IngestResult ingest(std::string_view body, log::Origin origin = {});
  // The same for a body with the parser's padding after it: NDJSON is read where it lies.
  IngestResult ingest(core::PaddedText body, log::Origin origin = {});

 private:
  class Collector;
  // `padded`: the same body, when it has the padding.
  IngestResult ingest_body(std::string_view body, const core::PaddedText* padded,
                           const log::Origin& origin);
  void parse_body(std::string_view body, const core::PaddedText* padded, Collector& collector);

  log::EventLog& log_;
  IngestOptions options_;
  core::EventParser parser_;
  std::string events_payload_;
  std::string rejections_payload_;
};

}  // namespace shoplake::ingest
