// A growable byte array that does not zero what it is about to overwrite: the pending buffer
// receives every appended payload, and zero-filling it first would double the memory traffic.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>

namespace shoplake::log {

class ByteBuffer {
 public:
  // `growth_limit`: capacity is doubled on demand but not beyond this, unless one request needs it.
  explicit ByteBuffer(std::size_t growth_limit) : growth_limit_(growth_limit) {}

  // `size` more bytes at the end, uninitialized, for the caller to fill.
  std::byte* extend(std::size_t size) {
    if (size_ + size > capacity_) reallocate(size_ + size);
    std::byte* tail = data_.get() + size_;
    size_ += size;
    return tail;
  }

  void clear() { size_ = 0; }
  void release_memory() {
    data_.reset();
    size_ = capacity_ = 0;
  }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::span<std::byte> bytes() { return {data_.get(), size_}; }

 private:
  void reallocate(std::size_t needed) {
    constexpr std::size_t kMinimumCapacity = 64 * 1024;
    const std::size_t doubled = std::min(std::max(capacity_ * 2, kMinimumCapacity), growth_limit_);
    const std::size_t capacity = std::max(needed, doubled);
    auto grown = std::make_unique_for_overwrite<std::byte[]>(capacity);
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    capacity_ = capacity;
  }

  std::size_t growth_limit_;
  std::unique_ptr<std::byte[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace shoplake::log
