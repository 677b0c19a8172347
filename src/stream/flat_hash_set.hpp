// A set of 64-bit key hashes with open addressing and linear probing: the distinct counts of the
// speed layer (users, sessions, orders) cost one probe in a flat array instead of a node
// allocation, and the memory a set holds is its table and nothing else.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace shoplake::stream {

class FlatHashSet {
 public:
  // True when `key` was not in the set yet.
  bool insert(std::uint64_t key) {
    if (key == kEmpty) key = kZeroStandIn;  // the empty slot's marker cannot be a key
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == key) return false;
      if (slots_[i] == kEmpty) {
        slots_[i] = key;
        ++size_;
        return true;
      }
    }
  }

  bool contains(std::uint64_t key) const {
    if (key == kEmpty) key = kZeroStandIn;
    if (slots_.empty()) return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == key) return true;
      if (slots_[i] == kEmpty) return false;
    }
  }

  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }

  // Empties the set; keeps the table unless it is much larger than `keep_slots`.
  void clear(std::size_t keep_slots = 1024) {
    if (slots_.size() > keep_slots) {
      std::vector<std::uint64_t>().swap(slots_);
    } else {
      std::fill(slots_.begin(), slots_.end(), kEmpty);
    }
    size_ = 0;
  }

  // Every key, in table order, for checkpoints.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const std::uint64_t key : slots_) {
      if (key != kEmpty) visit(key);
    }
  }

 private:
  static constexpr std::uint64_t kEmpty = 0;
  static constexpr std::uint64_t kZeroStandIn = 0x9e3779b97f4a7c15ULL;

  // Key hashes may come from a weak string hash: a multiply-shift spreads them over the table.
  static std::size_t mix(std::uint64_t key) {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return static_cast<std::size_t>(key);
  }

  void grow() {
    std::vector<std::uint64_t> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, kEmpty);
    size_ = 0;
    for (const std::uint64_t key : old) {
      if (key != kEmpty) insert(key);
    }
  }

  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
};

}  // namespace shoplake::stream
