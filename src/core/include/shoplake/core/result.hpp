// The value of an operation that can fail, or the message saying why, for a user to act on.
// Components return this across their boundaries instead of throwing.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace shoplake::core {

struct Error {
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit on purpose, like expected
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const std::string& error() const { return std::get<Error>(state_).message; }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing but can fail.
struct Done {};
using Status = Result<Done>;
inline Status ok_status() {
  return Done{};
}

}  // namespace shoplake::core
