// Substring checks that print the whole text when they fail.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace shoplake::alert::testing {

inline ::testing::AssertionResult contains(const std::string& text, std::string_view part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" is not in: " << text;
}

inline ::testing::AssertionResult lacks(const std::string& text, std::string_view part) {
  if (text.find(part) == std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" is in: " << text;
}

}  // namespace shoplake::alert::testing
