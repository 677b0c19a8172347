// Helpers for the protocol tests: a scratch directory, a snapshot request by version.
#pragma once

#include <cstdint>

#include "engine_test_support.hpp"
#include "shoplake/lake/snapshot.hpp"

namespace shoplake::lake::testing {

// A fresh directory under the system temp dir, removed with everything in it.
using ScratchDir = sql::testing::TempDirectory;

inline SnapshotRequest at_version(std::int64_t version) {
  SnapshotRequest request;
  request.version = version;
  return request;
}

}  // namespace shoplake::lake::testing
