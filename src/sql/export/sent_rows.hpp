// What ClickHouse already has of one table, in memory: for each key, a hash of the row text it
// last acknowledged. A pass sends only rows whose hash differs. Nothing is persisted: after a
// restart the first pass resends everything, which ReplacingMergeTree collapses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shoplake/sql/result.hpp"

namespace shoplake::sql::exporter {

class SentRows {
 public:
  struct Entry {
    std::uint64_t hash = 0;
    bool sent = false;
    std::uint64_t pass = 0;  // the last pass that saw the key
  };

  void begin_pass() { ++pass_; }
  // The key's entry, stable until end_pass() or clear(); nullptr when this pass already saw the
  // key (the source has two rows with one key, of which ClickHouse would keep one).
  Entry* visit(std::string key);
  // Forgets keys this pass did not see, so a sliding realtime window does not grow the map
  // forever; a key that comes back is merely resent.
  void end_pass();
  void clear() { entries_.clear(); }
  std::size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t pass_ = 0;
};

// The values of a row's key columns as one string, each length-prefixed so that no two keys
// collide; nullopt when one of them is NULL.
std::optional<std::string> row_key(const std::vector<ColumnInfo>& columns, const ResultChunk& chunk,
                                   const std::vector<std::size_t>& key, std::size_t row);

std::uint64_t row_hash(std::string_view row_text);

}  // namespace shoplake::sql::exporter
