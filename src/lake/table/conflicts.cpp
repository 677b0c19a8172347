#include "conflicts.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shoplake::lake {
namespace {

std::string check_file_action(const CommitRequest& ours, const std::string& path,
                              const PartitionValues& partition_values, bool data_change,
                              const char* what) {
  if (ours.replaces_table && data_change) {
    return fmt::format("it {} {} while this commit replaces the whole table", what, path);
  }
  if (!ours.replaced_partitions.empty()) {
    const std::string partition = partition_path(partition_values);
    if (ours.replaced_partitions.contains(partition)) {
      return fmt::format("it {} {} in partition {}, which this commit replaces", what, path,
                         partition);
    }
  }
  return "";
}

}  // namespace

std::string find_conflict(const CommitRequest& ours, const std::vector<std::string>& our_txn_apps,
                          const std::unordered_set<std::string>& our_removes,
                          const std::vector<Action>& winner) {
  for (const Action& action : winner) {
    std::string conflict;
    if (std::holds_alternative<Metadata>(action)) {
      conflict = "it changed the table's metadata (schema, partitioning or configuration)";
    } else if (std::holds_alternative<Protocol>(action)) {
      conflict = "it changed the table's protocol version";
    } else if (const auto* txn = std::get_if<Txn>(&action)) {
      if (std::find(our_txn_apps.begin(), our_txn_apps.end(), txn->app_id) != our_txn_apps.end()) {
        conflict = fmt::format(
            "it committed a transaction of application {} (version {}): two writers run for the "
            "same application",
            txn->app_id, txn->version);
      }
    } else if (const auto* remove = std::get_if<RemoveFile>(&action)) {
      if (our_removes.contains(remove->path)) {
        conflict = fmt::format("it removed {}, which this commit removes too", remove->path);
      } else {
        conflict = check_file_action(ours, remove->path, remove->partition_values,
                                     remove->data_change, "removed");
      }
    } else if (const auto* add = std::get_if<AddFile>(&action)) {
      conflict =
          check_file_action(ours, add->path, add->partition_values, add->data_change, "added");
    }
    if (!conflict.empty()) return conflict;
  }
  return "";
}

}  // namespace shoplake::lake
