// Reactor: the epoll set of FunctionRuntime's reactor thread and the watches registered in it,
// plus the eventfd that wakes the thread.
//
// A watch is a file descriptor reported back as what it belongs to (a Watch: its kind and an
// owner pointer). Each registration gets a token, and events carry the token, not the owner: an
// event of a batch whose watch was removed earlier in the same batch (its owner perhaps freed)
// finds no watch and is skipped, so owners never see events meant for a predecessor.
// Watches report input and hang-up (level-triggered); SetWritable adds output readiness.
//
// Ownership: owns the epoll and eventfd descriptors; not the watched descriptors, which their
// owners close after Remove.
// Thread-safety: Wake may be called from any thread. Everything else must be serialised by the
// owner (FunctionRuntime holds its mutex; Wait is called by the reactor thread alone).
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "common/result.h"
#include "common/unique_fd.h"

namespace stator::functions {

class Reactor {
 public:
  struct Watch {
    enum class Kind : uint8_t { kInstance, kControl, kNetwork } kind;
    void* owner = nullptr;
  };
  using Token = uint64_t;  // 0 is never a watch's token

  // An epoll set and its wake-up eventfd. Errors: "ServiceException" naming the call.
  static Result<Reactor> Create();

  // Registers fd for input and hang-up. Errors: epoll_ctl failed.
  Result<Token> Add(int fd, Watch watch);
  // Adds (writable) or drops output readiness on fd's registration. Errors: epoll_ctl failed.
  Status SetWritable(int fd, Token token, bool writable);
  // Forgets the watch and unregisters fd (token 0: nothing). Errors: epoll_ctl failed (the
  // watch is forgotten anyway; closing fd then unregisters it).
  Status Remove(int fd, Token token);

  // Waits for events (at most `max`, up to timeout_ms; -1 forever) into events; returns how
  // many (0 on timeout or EINTR). A wake-up (Wake) is reported as an event whose Find is
  // nullopt, and its count is drained.
  int Wait(epoll_event* events, int max, int timeout_ms);
  // The watch an event reports, nullopt for a wake-up or a watch removed since.
  std::optional<Watch> Find(const epoll_event& event) const;

  // Interrupts a Wait (from any thread).
  void Wake();

 private:
  Reactor() = default;
  Status Control(int op, int fd, Token token, uint32_t events);

  UniqueFd epoll_;
  UniqueFd wake_;
  Token next_token_ = 1;
  std::unordered_map<Token, Watch> watches_;
};

}  // namespace stator::functions
