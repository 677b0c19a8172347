#include "shoplake/ingest/ingestor.hpp"

#include <simdjson.h>

#include <array>

#include "shoplake/core/event_codec.hpp"

namespace shoplake::ingest {

namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

std::string_view first_line(std::string_view body) {
  const std::size_t start = body.find_first_not_of(kWhitespace);
  if (start == std::string_view::npos) return {};
  const std::size_t end = body.find('\n', start);
  std::string_view line =
      body.substr(start, end == std::string_view::npos ? body.size() - start : end - start);
  while (!line.empty() && kWhitespace.find(line.back()) != std::string_view::npos) {
    line.remove_suffix(1);
  }
  return line;
}

// The JSON text of one array element, whatever its type, so the event parser can judge it.
simdjson::error_code element_text(simdjson::ondemand::value element, std::string_view& text) {
  simdjson::ondemand::json_type type;
  if (auto error = element.type().get(type)) return error;
  switch (type) {
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object object;
      if (auto error = element.get_object().get(object)) return error;
      return object.raw_json().get(text);
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array array;
      if (auto error = element.get_array().get(array)) return error;
      return array.raw_json().get(text);
    }
    default:
      text = element.raw_json_token();
      return simdjson::SUCCESS;
  }
}

// A line that is no JSON object at all (as opposed to an object with a bad field).
bool is_not_an_object(const core::Rejection& rejection) {
  return rejection.field.empty() && (rejection.error.rfind("not valid JSON", 0) == 0 ||
                                     rejection.error.rfind("not a JSON object", 0) == 0);
}

}  // namespace

BodyShape detect_shape(std::string_view body) {
  const std::string_view line = first_line(body);
  if (!line.empty() && line.front() == '[') return BodyShape::array;
  if (line.size() >= 2 && line.front() == '{' && line.back() == '}') return BodyShape::ndjson;
  // A first line that does not close its object: a pretty-printed object, or NDJSON with a broken
  // first line. Only a body that parses whole as one object is taken as one.
  if (!line.empty() && line.front() == '{' && body.find('\n') != std::string_view::npos) {
    simdjson::dom::parser whole;
    simdjson::dom::element element;
    if (whole.parse(body.data(), body.size()).get(element) == simdjson::SUCCESS &&
        element.is_object()) {
      return BodyShape::object;
    }
  }
  return BodyShape::ndjson;
}

// Encodes what the parser hands out and keeps the first errors for the response.
class Ingestor::Collector : public core::EventSink {
 public:
  Collector(std::string& events, std::string& rejections, std::size_t max_reported)
      : events_(events), rejections_(rejections), max_reported_(max_reported) {}

  void on_event(const core::EventView& event, std::uint64_t) override {
    core::append_encoded_event(event, events_);
    ++accepted;
  }

  void on_rejection(const core::Rejection& rejection) override {
    core::append_encoded_rejection(rejection, rejections_);
    ++rejected;
    no_objects = no_objects && is_not_an_object(rejection);
    if (errors.size() < max_reported_) {
      errors.push_back(ReportedError{rejection.line, rejection.field, rejection.error});
    }
  }

  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  bool no_objects = true;
  std::vector<ReportedError> errors;

 private:
  std::string& events_;
  std::string& rejections_;
  std::size_t max_reported_;
};

Ingestor::Ingestor(log::EventLog& log, IngestOptions options)
    : log_(log), options_(options), parser_(options.validation) {}

void Ingestor::parse_body(std::string_view body, const core::PaddedText* padded,
                          Collector& collector) {
  switch (options_.ndjson_stream ? BodyShape::ndjson : detect_shape(body)) {
    case BodyShape::ndjson:
      if (padded) {
        parser_.parse_ndjson(*padded, collector);
      } else {
        parser_.parse_ndjson(body, collector);
      }
      break;
    case BodyShape::object:
      parser_.parse_line(body, 1, collector);
      break;
    case BodyShape::array: {
      simdjson::ondemand::parser array_parser;
      simdjson::padded_string padded(body);
      simdjson::ondemand::document document;
      simdjson::ondemand::array array;
      std::uint64_t position = 0;
      auto error = array_parser.iterate(padded).get(document);
      if (!error) error = document.get_array().get(array);
      if (!error) {
        for (auto element : array) {
          ++position;
          simdjson::ondemand::value value;
          std::string_view text;
          error = element.get(value);
          if (!error) error = element_text(value, text);
          if (error) break;
          parser_.parse_line(text, position, collector);
        }
      }
      if (error) {
        // Elements before the break were taken; the rest of the body cannot be split safely.
        const std::string where = std::to_string(position == 0 ? 1 : position);
        core::Rejection rejection{position == 0 ? 1 : position, "",
                                  "not valid JSON: " + std::string(simdjson::error_message(error)) +
                                      " (array element " + where + ")",
                                  body.substr(0, std::min<std::size_t>(body.size(), 4096))};
        collector.on_rejection(rejection);
      }
      break;
    }
  }
}

IngestResult Ingestor::ingest(std::string_view body, log::Origin origin) {
  return ingest_body(body, nullptr, origin);
}

IngestResult Ingestor::ingest(core::PaddedText body, log::Origin origin) {
  return ingest_body(body.text(), &body, origin);
}

IngestResult Ingestor::ingest_body(std::string_view body, const core::PaddedText* padded,
                                   const log::Origin& origin) {
  events_payload_.clear();
  rejections_payload_.clear();
  Collector collector(events_payload_, rejections_payload_, options_.max_reported_errors);
  parse_body(body, padded, collector);

  IngestResult result;
  result.accepted = collector.accepted;
  result.rejected = collector.rejected;
  result.errors = std::move(collector.errors);
  if (collector.accepted == 0 && collector.rejected > 0 && collector.no_objects &&
      !options_.ndjson_stream) {
    result.status = IngestStatus::not_json;
    result.message = "the body holds no JSON object: line " +
                     std::to_string(result.errors.front().line) + ": " +
                     result.errors.front().error;
    return result;
  }
  if (collector.accepted + collector.rejected > options_.max_events_per_body) {
    result.status = IngestStatus::too_many;
    result.message = "the body holds " + std::to_string(collector.accepted + collector.rejected) +
                     " events; at most " + std::to_string(options_.max_events_per_body) +
                     " are taken per request: split it";
    return result;
  }

  std::array<log::RecordToAppend, 2> records;
  std::size_t record_count = 0;
  if (collector.accepted > 0 || !origin.key.empty()) {
    records[record_count++] =
        log::RecordToAppend{log::RecordKind::events, events_payload_,
                            static_cast<std::uint32_t>(collector.accepted), origin};
  }
  if (collector.rejected > 0) {
    records[record_count++] = log::RecordToAppend{log::RecordKind::rejections,
                                                  rejections_payload_,
                                                  static_cast<std::uint32_t>(collector.rejected),
                                                  {}};
  }
  if (record_count == 0) {
    result.status = IngestStatus::stored;  // an empty body stores nothing and loses nothing
    return result;
  }
  const log::AppendOutcome outcome = log_.append(std::span(records.data(), record_count));
  switch (outcome.status) {
    case log::AppendStatus::durable:
      result.status = IngestStatus::stored;
      result.first_offset = outcome.first_offset;
      result.end_offset = outcome.end_offset;
      break;
    case log::AppendStatus::overloaded:
      result.status = IngestStatus::overloaded;
      result.message = "the event log is busy; retry shortly";
      break;
    case log::AppendStatus::failed:
    case log::AppendStatus::closed:
      result.status = IngestStatus::failed;
      result.message = outcome.message.empty() ? "the event log is closed" : outcome.message;
      break;
  }
  return result;
}

}  // namespace shoplake::ingest
