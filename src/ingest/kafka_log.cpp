#include "kafka_log.hpp"

#include <spdlog/spdlog.h>

namespace shoplake::ingest {

void log_from_librdkafka(const rd_kafka_t* /*handle*/, int level, const char* facility,
                         const char* message) {
  if (level <= 3) {
    spdlog::error("kafka {}: {}", facility, message);
  } else if (level == 4) {
    spdlog::warn("kafka {}: {}", facility, message);
  } else if (level <= 6) {
    spdlog::info("kafka {}: {}", facility, message);
  } else {
    spdlog::debug("kafka {}: {}", facility, message);
  }
}

}  // namespace shoplake::ingest
