// postgres: the one way stator talks to PostgreSQL (the store of a cluster, `--store URI`).
//
// Connection is one libpq connection opened from a connection URI
// (postgresql://USER@HOST:PORT/DB?...), with PostgreSQL's failures turned into Errors worded
// for its user (Options::error_name and error_prefix), as common/sqlite.h does for SQLite.
// Queries take parameters ($1, $2, ...) as Params: text, bytes (bytea, sent in binary, so any
// byte including NUL goes through), 64-bit integers or NULL; results come back as Rows in text
// format, with Bytes() decoding bytea's hex output. Statements a caller runs often are prepared
// once per connection (Connection::Run by name). An Array carries a whole column of a batch in
// one parameter (binary array format, for unnest()). Transaction is BEGIN ... COMMIT, rolled
// back when it goes out of scope uncommitted. Pool hands connections to threads (at most
// max_connections at once) and replaces one that broke. Migrate applies versioned schema scripts
// (common/migration.h) under a cluster-wide advisory lock, so several nodes starting at once
// migrate one at a time.
//
// Ownership: a Connection owns its libpq connection and Rows their result; Transactions borrow
// the Connection, which must outlive them. A Pool owns its idle connections; a Pool::Lease
// returns its connection to the pool when destroyed (the pool must outlive it).
// Thread-safety: a Connection (with its Rows) is used by one thread at a time. Pool is
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/migration.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/thread_annotations.h"

struct pg_conn;
struct pg_result;

namespace stator::postgres {

// Every connection sets idle_in_transaction_session_timeout to this: the server ends a session
// that keeps a transaction open and idle longer (its process froze), releasing its row locks.
inline constexpr int kIdleInTransactionTimeoutMs = 5000;

struct Options {
  // Errors read Error{error_name, error_prefix + what + ": " + PostgreSQL's message}.
  std::string error_name = "postgres.Error";
  std::string error_prefix;
};

// One query parameter. The text a Param refers to must outlive the query it is passed to.
class Param {
 public:
  static Param Text(std::string_view text) { return Param(text, false); }
  static Param Bytes(std::string_view bytes) { return Param(bytes, true); }  // bytea
  static Param Int(int64_t value);
  static Param Null() { return Param(); }
  static Param OptionalText(const std::optional<std::string>& text) {
    return text ? Text(*text) : Null();
  }
  static Param OptionalBytes(const std::optional<std::string>& bytes) {
    return bytes ? Bytes(*bytes) : Null();
  }

  const char* data() const { return null_ ? nullptr : (owned_.empty() ? view_ : owned_).data(); }
  int size() const { return static_cast<int>((owned_.empty() ? view_ : owned_).size()); }
  bool binary() const { return binary_; }

 private:
  Param() : null_(true) {}
  Param(std::string_view v, bool binary) : view_(v), binary_(binary) {}

  std::string_view view_;
  std::string owned_;  // Int's digits
  bool binary_ = false;
  bool null_ = false;
};

// A one-dimensional array parameter in PostgreSQL's binary format, for statements that take
// many rows at once: INSERT ... SELECT * FROM unnest($1::int8[], $2::text[], $3::bytea[]).
// One statement then writes a whole batch whatever its size. Elements are added in order; text
// and bytea elements are copied (any bytes for bytea; text must be valid UTF-8 without NUL).
class Array {
 public:
  enum class Of : uint32_t { kInt8 = 20, kText = 25, kBytea = 17 };  // the element type's OID
  explicit Array(Of type);

  Array& Add(int64_t value);           // kInt8
  Array& Add(std::string_view value);  // kText, kBytea
  Array& AddOptional(const std::optional<std::string>& value) {
    return value ? Add(*value) : AddNull();
  }
  Array& AddNull();
  int size() const { return count_; }

  // The array as a parameter (cast it in the statement: $1::bytea[]); it refers to this Array,
  // which must not change until the query ran.
  Param param();

 private:
  Of type_;
  int count_ = 0;
  bool has_null_ = false;
  std::string buffer_;  // a 20-byte header (written by param()), then the elements
};

// The rows of a query, in text format.
class Rows {
 public:
  explicit Rows(pg_result* result) : result_(result) {}
  ~Rows();
  Rows(Rows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  int size() const;
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const;
  std::string_view Text(int row, int col) const;
  std::optional<std::string> OptionalText(int row, int col) const;   // nullopt for NULL
  int64_t Int(int row, int col) const;                               // 0 for NULL
  bool Bool(int row, int col) const;                                 // 't'
  std::string Bytes(int row, int col) const;                         // a bytea column, decoded
  std::optional<std::string> OptionalBytes(int row, int col) const;  // nullopt for NULL
  // Rows changed by an INSERT, UPDATE or DELETE (without RETURNING: size() is 0).
  int64_t affected() const;

 private:
  pg_result* result_;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& uri, Options options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters (DDL, BEGIN, ...).
  Status Exec(std::string_view sql);
  // The same, returning the rows of the last statement (several statements, one round trip).
  Result<Rows> ExecRows(std::string_view sql);
  // Runs one statement with parameters.
  Result<Rows> Query(std::string_view sql, std::span<const Param> params = {});
  Result<Rows> Query(std::string_view sql, std::initializer_list<Param> params) {
    return Query(sql, std::span<const Param>(params.begin(), params.size()));
  }
  // Prepares `sql` under `name` on this connection, once (later calls with the name do
  // nothing), then runs it.
  Result<Rows> Run(const char* name, std::string_view sql, std::span<const Param> params = {});
  Result<Rows> Run(const char* name, std::string_view sql, std::initializer_list<Param> params) {
    return Run(name, sql, std::span<const Param>(params.begin(), params.size()));
  }

  // False once the connection broke (the server went away): drop it and open another.
  bool ok() const;

  // An Error worded like the others, with `message` as the details.
  Error MakeError(std::string_view message) const;

 private:
  Connection(pg_conn* conn, Options options);
  Result<Rows> Check(pg_result* result, std::string_view what);

  pg_conn* conn_;
  const Options options_;
  std::vector<std::string> prepared_;  // names prepared on this connection
};

// The SQLSTATE of a failed query as Errors carry it: the cause starts with "[SQLSTATE] ".
// True for the failures a transaction may simply be run again after (serialization failure
// 40001, deadlock 40P01).
bool IsRetryable(const Error& e);

// BEGIN ... COMMIT (READ COMMITTED unless `isolation` names another level).
class Transaction {
 public:
  explicit Transaction(Connection* conn, std::string_view isolation = "");
  // Rolls back unless committed.
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Ok, or why BEGIN failed (then nothing is to be done in this transaction).
  Status Begun() const;
  Status Commit();

 private:
  Connection* conn_;
  std::optional<Error> begin_error_;
  bool done_ = false;
};

// Connections to one database, opened as threads need them and kept for reuse: at most
// max_connections open at once (a thread asking for one more waits until one comes back), so
// that a node's share of the server's max_connections is bounded whatever its thread count.
class Pool {
 public:
  static constexpr int kDefaultMaxConnections = 16;
  Pool(std::string uri, Options options, int max_connections = kDefaultMaxConnections)
      : uri_(std::move(uri)), options_(std::move(options)), max_connections_(max_connections) {}

  // A connection for the calling thread (waiting while max_connections are leased); back to
  // the pool when the Lease is destroyed (unless it broke: then it is closed).
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    ~Lease();
    Lease(Lease&&) = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection* operator->() const { return conn_.get(); }
    Connection* get() const { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };
  Result<Lease> Acquire() EXCLUDES(mu_);

  const std::string& uri() const { return uri_; }
  const Options& options() const { return options_; }

 private:
  void Return(std::unique_ptr<Connection> conn) EXCLUDES(mu_);

  const std::string uri_;
  const Options options_;
  const int max_connections_;
  Mutex mu_;
  CondVar returned_;  // signalled when a connection comes back or closes
  std::vector<std::unique_ptr<Connection>> idle_ GUARDED_BY(mu_);
  int open_ GUARDED_BY(mu_) = 0;  // idle and leased
};

// The highest version recorded in `version_table` (0 when the table is missing or empty).
Result<int> SchemaVersion(Connection* conn, std::string_view version_table);

// Takes the advisory lock `lock_key` (held by this session until it returns: other nodes
// migrating the same database wait), creates `version_table` if needed, then applies every
// migration above the recorded version, each in its own transaction together with its row in
// version_table(version, file, applied_at_ms). Refuses a database whose recorded version is
// above the last migration (written by a newer build). Returns the version. Each set of
// migrations sharing a database (the store's, DynamoDB's) has its own table and lock key.
Result<int> Migrate(Connection* conn, std::span<const Migration> migrations,
                    std::string_view version_table, int64_t lock_key);

}  // namespace stator::postgres
