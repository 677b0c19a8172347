// Helpers for the protocol tests: a scratch directory.
#pragma once

#include "engine_test_support.hpp"

namespace shoplake::lake::testing {

// A fresh directory under the system temp dir, removed with everything in it.
using ScratchDir = sql::testing::TempDirectory;

}  // namespace shoplake::lake::testing
