// One table's rows of a landing batch, a StagedRows per partition (UTC day). The stagings of a
// committed batch are emptied and kept for the next one (StagedRows::clear says why).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "staged_rows.hpp"

namespace shoplake::lake {

class DayStagings {
 public:
  explicit DayStagings(std::vector<StagingColumn> columns) : columns_(std::move(columns)) {}

  StagedRows& rows_of(std::int32_t day);
  bool empty() const { return days_.empty(); }
  std::uint64_t rows() const;
  // Per day, the SELECT of its staged rows, added to `selects` (joined by UNION ALL to a SELECT
  // already there for the day); valid until clear_for_reuse().
  void add_selects(std::map<std::int32_t, std::string>& selects) const;
  // Empties every day's staging and keeps it for the next batch; frees those the batch before
  // left unused, so the memory kept follows the load.
  void clear_for_reuse();

 private:
  std::vector<StagingColumn> columns_;
  std::map<std::int32_t, std::unique_ptr<StagedRows>> days_;
  std::vector<std::unique_ptr<StagedRows>> spare_;
};

}  // namespace shoplake::lake
