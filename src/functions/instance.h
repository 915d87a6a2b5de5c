// Instance: the server's side of one instance process of a function — its end of the
// instance's stream socket (frames both ways: 'Y', 'I', 'R', 'E', 'P', 'Q'), the instance's end
// until it is handed to the zygote, the memfd the instance writes stdout and stderr to (its
// InvocationLog), and its pidfd (received with its 'Y' frame), by which it is killed.
//
// Which state the instance is in (starting, idle, busy) and what it runs is the InstancePool's
// business; this is its I/O: Receive reads what the socket holds, NewOutput and Flush write an
// invocation without blocking (what the socket does not take waits for output readiness).
//
// Ownership: owns its descriptors; Kill does not wait (the zygote reaps its children).
// Thread-safety: none; the owner serialises calls (FunctionRuntime holds its mutex).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"
#include "functions/frame.h"
#include "functions/invocation_log.h"
#include "functions/reactor.h"

namespace stator::functions {

class Instance {
 public:
  // A new instance's descriptors: a stream socket pair (ours non-blocking) and its log.
  // Errors ("ServiceException"): a socket, memfd or fcntl call failed.
  static Result<std::unique_ptr<Instance>> Create(uint64_t id, void* owner);

  uint64_t id() const { return id_; }
  void* owner() const { return owner_; }  // who started it (FunctionRuntime's workers)
  int socket() const { return socket_.get(); }
  int child_socket() const { return child_socket_.get(); }
  // Closes our copy of the instance's end, once the zygote has it.
  void CloseChildSocket() { child_socket_.Reset(); }
  InvocationLog& log() { return log_; }
  FrameReader& reader() { return reader_; }

  // Reads into buf (non-blocking); before the instance is ready, also takes the pidfd its
  // 'Y' frame carries. Returns recv's result (errno set when < 0).
  ssize_t Receive(char* buf, size_t size);
  bool has_pidfd() const { return pidfd_.valid(); }

  // What writing left: kDone (all written), kBlocked (the rest waits for output readiness),
  // kFailed (the socket failed: the read side notices the death).
  enum class Write : uint8_t { kDone, kBlocked, kFailed };
  // The buffer to encode the next frame into (emptied; its capacity is kept from call to call),
  // then written by Flush.
  std::string* NewOutput() {
    out_.clear();
    out_off_ = 0;
    return &out_;
  }
  // The buffer to append one more frame to, after what is still unwritten (a platform call's
  // reply may follow an invoke frame the socket has not taken yet).
  std::string* MoreOutput() {
    if (!pending_output()) return NewOutput();
    return &out_;
  }
  // Writes what is left of the output.
  Write Flush();
  bool pending_output() const { return out_off_ < out_.size(); }

  // SIGKILLs the process (once its pidfd is known).
  void Kill();

  // The reactor's registration of socket() and whether it asks for output readiness.
  Reactor::Token watch = 0;
  bool writable_armed = false;
  // Timing: when it was asked to start; how long it took (-1 once its first call is reported).
  int64_t spawn_started_us = 0;
  int64_t cold_start_us = -1;
  bool spawn_sent = false;  // the zygote has its spawn message
  bool spare = false;
  std::string stream;  // its log stream name

 private:
  Instance(uint64_t id, void* owner, UniqueFd socket, UniqueFd child, InvocationLog log)
      : id_(id),
        owner_(owner),
        socket_(std::move(socket)),
        child_socket_(std::move(child)),
        log_(std::move(log)) {}

  uint64_t id_;
  void* owner_;
  UniqueFd socket_;
  UniqueFd child_socket_;
  InvocationLog log_;
  UniqueFd pidfd_;
  FrameReader reader_;
  std::string out_;  // the unwritten rest of an invoke frame
  size_t out_off_ = 0;
};

}  // namespace stator::functions
