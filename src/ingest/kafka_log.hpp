// librdkafka's log lines, into ours (internal to shoplake_ingest): the source and the sink set it
// on their configurations.
#pragma once

#include <librdkafka/rdkafka.h>

namespace shoplake::ingest {

// rd_kafka_conf_set_log_cb callback: syslog levels 0-3 as errors, 4 warnings, 5-6 info, 7 debug.
void log_from_librdkafka(const rd_kafka_t* handle, int level, const char* facility,
                         const char* message);

}  // namespace shoplake::ingest
