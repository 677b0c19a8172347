// Logical conflicts between a commit that lost the race for a version and the commit that won it
// (PROTOCOL.md leaves the rules to writers; these are Delta's own for its isolation level):
// appends never conflict with appends; a change to metadata or protocol, a removal of a file we
// also remove, a change to a partition we replace, or a transaction of the same application does.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "shoplake/lake/actions.hpp"
#include "shoplake/lake/delta_table.hpp"

namespace shoplake::lake {

// "" when `ours` can still commit after `winner`; otherwise why not, for the error message.
std::string find_conflict(const CommitRequest& ours, const std::vector<std::string>& our_txn_apps,
                          const std::unordered_set<std::string>& our_removes,
                          const std::vector<Action>& winner);

}  // namespace shoplake::lake
