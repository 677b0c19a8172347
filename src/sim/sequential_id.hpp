// Identifiers "<prefix><n>" for n = 1, 2, 3, …, kept as text and incremented in place, so that
// handing out the next one costs a few byte operations instead of a number formatting.
#pragma once

#include <array>
#include <cstring>
#include <string_view>

namespace shoplake::sim {

class SequentialId {
 public:
  static constexpr std::size_t kMaxPrefix = 24;

  explicit SequentialId(std::string_view prefix) : prefix_size_(prefix.size()) {
    std::memcpy(text_.data(), prefix.data(), prefix.size());
    text_[prefix_size_] = '0';
    size_ = prefix_size_ + 1;
  }

  // The next identifier; valid until the following call.
  std::string_view next() {
    std::size_t pos = size_;
    while (pos > prefix_size_ && text_[pos - 1] == '9') text_[--pos] = '0';
    if (pos == prefix_size_) {
      // All nines: one more digit ("99" becomes "100"). 20 digits outlast any run.
      text_[size_++] = '0';
      text_[prefix_size_] = '1';
    } else {
      ++text_[pos - 1];
    }
    return {text_.data(), size_};
  }

 private:
  std::array<char, kMaxPrefix + 24> text_{};
  std::size_t prefix_size_;
  std::size_t size_;
};

}  // namespace shoplake::sim
