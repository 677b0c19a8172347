// The serving tables whose names and columns are part of shoplake's contract (docs/DESIGN.md,
// "Tables"). They exist from the first start: until the component that fills a table publishes
// it, it answers with zero rows, so dashboards and clients never meet "unknown table".
#pragma once

#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::sql {

struct ContractTable {
  std::string schema;
  std::string name;
  std::vector<TableColumn> columns;
};

const std::vector<ContractTable>& contract_tables();

// Publishes every contract table as an empty snapshot.
core::Status publish_empty_contract_tables(Catalog& catalog);

}  // namespace shoplake::sql
