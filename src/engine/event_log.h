// EventLog: the history events of one execution, in order.
//
// Events live in fixed-size chunks that never move. Appending to a std::vector copies every
// earlier event each time the vector grows and touches about twice the memory the events need;
// on a long execution (a 100,000-iteration loop records 400,000 events) that growth was most of
// the engine's time. Here an event is constructed once, in place, and references to it stay
// valid while the log grows.
//
// Thread-safety: none; a log belongs to one execution (or to the result it hands back).
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace stator::engine {

template <typename T>
class ChunkedLog {
 public:
  static constexpr size_t kChunk = 256;  // events per chunk (~28 KiB for a HistoryEvent)

  ChunkedLog() = default;
  ChunkedLog(ChunkedLog&& o) noexcept
      : chunks_(std::move(o.chunks_)), size_(std::exchange(o.size_, 0)) {}
  ChunkedLog& operator=(ChunkedLog&& o) noexcept {
    if (this != &o) {
      DestroyAll();
      chunks_ = std::move(o.chunks_);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ChunkedLog(const ChunkedLog&) = delete;
  ChunkedLog& operator=(const ChunkedLog&) = delete;
  ~ChunkedLog() { DestroyAll(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  T& operator[](size_t i) { return Slot(i); }
  const T& operator[](size_t i) const { return Slot(i); }
  const T& at(size_t i) const {
    if (i >= size_) throw std::out_of_range("ChunkedLog::at");
    return Slot(i);
  }
  T& front() { return Slot(0); }
  const T& front() const { return Slot(0); }
  T& back() { return Slot(size_ - 1); }
  const T& back() const { return Slot(size_ - 1); }

  // A new default-constructed element at the end.
  T& emplace_back() {
    // new Chunk, not make_unique: the bytes need no zeroing.
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::unique_ptr<Chunk>(new Chunk));
    T* slot = new (&Slot(size_)) T();
    ++size_;
    return *slot;
  }

  // Destroys every element; the first chunk's memory is kept for the next ones.
  void clear() {
    DestroyAll();
    if (chunks_.size() > 1) chunks_.resize(1);
  }

  // Moves every element into a vector (in order) and clears the log.
  std::vector<T> TakeVector() {
    std::vector<T> out;
    out.reserve(size_);
    for (size_t i = 0; i < size_; ++i) out.push_back(std::move(Slot(i)));
    clear();
    return out;
  }

  template <bool kConst>
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using Log = std::conditional_t<kConst, const ChunkedLog, ChunkedLog>;
    using reference = std::conditional_t<kConst, const T&, T&>;
    using pointer = std::conditional_t<kConst, const T*, T*>;

    Iterator() = default;
    Iterator(Log* log, size_t i) : log_(log), i_(i) {}
    reference operator*() const { return (*log_)[i_]; }
    pointer operator->() const { return &(*log_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++i_;
      return old;
    }
    bool operator==(const Iterator& o) const { return i_ == o.i_; }

   private:
    Log* log_ = nullptr;
    size_t i_ = 0;
  };
  using iterator = Iterator<false>;
  using const_iterator = Iterator<true>;
  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

 private:
  struct Chunk {
    alignas(T) unsigned char bytes[kChunk * sizeof(T)];
  };

  T& Slot(size_t i) const {
    return std::launder(reinterpret_cast<T*>(chunks_[i / kChunk]->bytes))[i % kChunk];
  }
  void DestroyAll() {
    for (size_t i = 0; i < size_; ++i) Slot(i).~T();
    size_ = 0;
  }

  std::vector<std::unique_ptr<Chunk>> chunks_;
  size_t size_ = 0;
};

}  // namespace stator::engine
