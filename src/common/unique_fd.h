// UniqueFd: the sole owner of one file descriptor, which it closes exactly once — when it is
// destroyed, Reset or assigned over — unless Release hands the descriptor on. Move-only: a
// moved-from UniqueFd holds nothing (-1). It does no I/O of its own.
//
// Thread-safety: a plain value; one object is used by one thread at a time.
#pragma once

#include <unistd.h>

namespace stator {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd < 0 ? -1 : fd) {}  // takes ownership of fd (< 0: nothing)
  ~UniqueFd() { Reset(); }

  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  // Gives up ownership: returns the descriptor (-1 when none), which the caller must close.
  [[nodiscard]] int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

  // Closes the descriptor held (if any) and takes ownership of fd (< 0: nothing). Closing is
  // not retried: on Linux the descriptor is released even when close reports EINTR.
  void Reset(int fd = -1) {
    if (fd_ >= 0 && fd_ != fd) ::close(fd_);
    fd_ = fd < 0 ? -1 : fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace stator
