// The sessions' next steps in time order: a calendar queue of one-second buckets.
//
// Each entry is one 64-bit key, time since the agenda's epoch in the high 41 bits (69 years of
// milliseconds) and the session's slot in the low 23 (8 million sessions at once), so one integer
// compare orders by time and then slot and ties resolve identically everywhere. A session's next
// step is never more than kMaxGapMs away, so a ring of kBuckets one-second buckets holds every
// pending step without two seconds sharing a bucket. A future bucket is an unsorted list linked
// through the sessions' slots (a session has one pending step), so scheduling is two stores into
// small arrays that stay in cache; the earliest non-empty bucket is gathered and sorted when its
// turn comes, and drained in order. At the default traffic a bucket holds a handful of steps, so
// an event costs a couple of stores and a read instead of a heap's walk through its levels, the
// simulator's largest cost before.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace shoplake::sim {

class Agenda {
 public:
  static constexpr int kSlotBits = 23;
  static constexpr std::uint32_t kMaxSlots = std::uint32_t{1} << kSlotBits;
  static constexpr std::int64_t kBucketMs = 1000;
  static constexpr std::size_t kBuckets = 2048;  // 34 minutes: more than any gap in a session

  explicit Agenda(std::int64_t epoch_ms) : epoch_ms_(epoch_ms) {}

  bool empty() const { return size_ == 0; }
  std::int64_t top_ms() const {
    return epoch_ms_ + static_cast<std::int64_t>(current_[position_] >> kSlotBits);
  }
  std::uint32_t top_slot() const {
    return static_cast<std::uint32_t>(current_[position_] & (kMaxSlots - 1));
  }

  // `ts_ms` may lie before the earliest pending step, but at most kBuckets seconds after it.
  void push(std::int64_t ts_ms, std::uint32_t slot) {
    const std::uint64_t key = make_key(ts_ms, slot);
    const std::int64_t second = (ts_ms - epoch_ms_) / kBucketMs;
    if (size_++ == 0) {
      start_bucket(second, key);
    } else if (second == current_second_) {
      // Same second as the steps being drained (an order's next line): insert in order.
      current_.insert(std::upper_bound(current_.begin() + static_cast<std::ptrdiff_t>(position_),
                                       current_.end(), key),
                      key);
    } else if (second < current_second_) {
      // Earlier than everything pending (a new session after a quiet spell): put the current
      // bucket's remainder back and start over from this second, whose bucket is empty.
      for (std::size_t i = position_; i < current_.size(); ++i) link(current_second_, current_[i]);
      start_bucket(second, key);
    } else {
      if (second - current_second_ >= static_cast<std::int64_t>(kBuckets)) {
        throw std::logic_error("agenda: a step scheduled beyond the calendar's horizon");
      }
      link(second, key);
    }
  }

  void pop() {
    ++position_;
    if (--size_ != 0 && position_ == current_.size()) advance();
  }

  void replace_top(std::int64_t ts_ms, std::uint32_t slot) {
    pop();
    push(ts_ms, slot);
  }

 private:
  static std::array<std::uint32_t, kBuckets> make_empty_heads() {
    std::array<std::uint32_t, kBuckets> heads;
    heads.fill(kNone);
    return heads;
  }

  std::uint64_t make_key(std::int64_t ts_ms, std::uint32_t slot) const {
    if (slot >= kMaxSlots) throw std::length_error("more than 8 million sessions at once");
    const auto since_epoch = static_cast<std::uint64_t>(ts_ms - epoch_ms_);
    if (since_epoch >> (64 - kSlotBits) != 0) {
      throw std::length_error("a simulation cannot span more than 69 years");
    }
    return (since_epoch << kSlotBits) | slot;
  }

  static std::size_t bucket_of(std::int64_t second) {
    return static_cast<std::size_t>(second) % kBuckets;
  }

  // Adds the step `key` to the list of `second`'s bucket.
  void link(std::int64_t second, std::uint64_t key) {
    const auto slot = static_cast<std::uint32_t>(key & (kMaxSlots - 1));
    if (slot >= next_.size()) {
      next_.resize(slot + std::size_t{1024});
      keys_.resize(next_.size());
    }
    std::uint32_t& head = heads_[bucket_of(second)];
    keys_[slot] = key;
    next_[slot] = head;
    head = slot;
  }

  void start_bucket(std::int64_t second, std::uint64_t key) {
    current_.clear();
    current_.push_back(key);
    position_ = 0;
    current_second_ = second;
  }

  // Moves on to the earliest non-empty bucket; there is one, since size_ > 0.
  void advance() {
    std::int64_t second = current_second_ + 1;
    while (heads_[bucket_of(second)] == kNone) ++second;
    current_.clear();
    std::uint32_t& head = heads_[bucket_of(second)];
    for (std::uint32_t slot = head; slot != kNone; slot = next_[slot]) {
      current_.push_back(keys_[slot]);
    }
    head = kNone;
    std::sort(current_.begin(), current_.end());
    position_ = 0;
    current_second_ = second;
  }

  static constexpr std::uint32_t kNone = ~std::uint32_t{0};

  std::int64_t epoch_ms_;
  std::array<std::uint32_t, kBuckets> heads_ = make_empty_heads();  // first slot of each list
  std::vector<std::uint32_t> next_;     // by slot: the next slot in the same bucket's list
  std::vector<std::uint64_t> keys_;     // by slot: the pending step's key
  std::vector<std::uint64_t> current_;  // the earliest pending second's steps, sorted
  std::size_t position_ = 0;            // current_[position_] is the earliest pending step
  std::int64_t current_second_ = 0;
  std::size_t size_ = 0;
};

}  // namespace shoplake::sim
