// Error values and Result<T>: how every layer of stator reports failure.
//
// stator does not use C++ exceptions for errors that cross a module boundary. A function that can
// fail returns Result<T> (a T or an Error) or Status (nothing or an Error). ASL runtime errors such
// as States.Runtime or a task's own error are Errors too: data that Retry and Catch match by name.
//
// Error carries two strings, named after the ASL fields they end up in:
//   error  - the name ("States.Runtime", "States.TaskFailed", "InvalidDefinition", ...)
//   cause  - the human-readable explanation, AWS's wording where known.
//
// Thread-safety: plain values, no shared state.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace stator {

struct Error {
  std::string error;
  std::string cause;

  bool operator==(const Error&) const = default;
};

// The result of an operation that yields a T or fails with an E: an Error everywhere but at a
// protocol's edge, where E is that protocol's error type (ApiResult<T> is
// Result<T, ApiError>, common/api_error.h).
template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(E error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  E&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, E> v_;
};

// The result of an operation that yields nothing or fails with an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

}  // namespace stator

// Propagate an error: STATOR_TRY(x, Expr()) declares x from a Result or returns its Error.
#define STATOR_CONCAT_INNER(a, b) a##b
#define STATOR_CONCAT(a, b) STATOR_CONCAT_INNER(a, b)
#define STATOR_TRY(decl, expr)                                      \
  auto STATOR_CONCAT(stator_try_, __LINE__) = (expr);               \
  if (!STATOR_CONCAT(stator_try_, __LINE__).ok())                   \
    return std::move(STATOR_CONCAT(stator_try_, __LINE__)).error(); \
  decl = std::move(STATOR_CONCAT(stator_try_, __LINE__)).value()
#define STATOR_RETURN_IF_ERROR(expr)                                    \
  do {                                                                  \
    auto stator_status_ = (expr);                                       \
    if (!stator_status_.ok()) return std::move(stator_status_).error(); \
  } while (0)
