#include "day_stagings.hpp"

namespace shoplake::lake {

StagedRows& DayStagings::rows_of(std::int32_t day) {
  auto found = days_.find(day);
  if (found != days_.end()) return *found->second;
  std::unique_ptr<StagedRows> staged;
  if (!spare_.empty()) {
    staged = std::move(spare_.back());
    spare_.pop_back();
  } else {
    staged = std::make_unique<StagedRows>(columns_);
  }
  return *days_.emplace(day, std::move(staged)).first->second;
}

std::uint64_t DayStagings::rows() const {
  std::uint64_t rows = 0;
  for (const auto& [day, staged] : days_) rows += staged->rows();
  return rows;
}

void DayStagings::add_selects(std::map<std::int32_t, std::string>& selects) const {
  for (const auto& [day, staged] : days_) {
    std::string& select = selects[day];
    if (!select.empty()) select += " UNION ALL ";
    select += staged->select_sql();
  }
}

void DayStagings::clear_for_reuse() {
  spare_.clear();
  for (auto& [day, staged] : days_) {
    staged->clear();
    spare_.push_back(std::move(staged));
  }
  days_.clear();
}

}  // namespace shoplake::lake
