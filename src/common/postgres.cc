#include "common/postgres.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace stator::postgres {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `uri` with its password (postgresql://user:PASSWORD@host, or password=...) replaced by ***,
// for messages.
std::string Redacted(const std::string& uri) {
  std::string out = uri;
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = out.find_first_of("/?", start);
    const size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at > start) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    const size_t value = p + 9;
    const size_t end = out.find_first_of("& ", value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

// The first line of libpq's message, without its trailing newline.
std::string Message(const char* text) {
  std::string m = text == nullptr ? "" : text;
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

}  // namespace

Param Param::Int(int64_t value) {
  Param p(std::string_view(), false);
  p.owned_ = std::to_string(value);
  return p;
}

// --- Array --------------------------------------------------------------------------------------

namespace {

void AppendInt32(std::string* out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(bytes, 4);
}

void WriteInt32(char* at, uint32_t v) {
  at[0] = static_cast<char>(v >> 24);
  at[1] = static_cast<char>(v >> 16);
  at[2] = static_cast<char>(v >> 8);
  at[3] = static_cast<char>(v);
}

constexpr size_t kArrayHeader = 20;  // ndim, has-null flag, element type, size, lower bound

}  // namespace

Array::Array(Of type) : type_(type), buffer_(kArrayHeader, '\0') {}

Array& Array::Add(int64_t value) {
  AppendInt32(&buffer_, 8);
  const uint64_t v = static_cast<uint64_t>(value);
  AppendInt32(&buffer_, static_cast<uint32_t>(v >> 32));
  AppendInt32(&buffer_, static_cast<uint32_t>(v));
  ++count_;
  return *this;
}

Array& Array::Add(std::string_view value) {
  AppendInt32(&buffer_, static_cast<uint32_t>(value.size()));
  buffer_.append(value);
  ++count_;
  return *this;
}

Array& Array::AddNull() {
  AppendInt32(&buffer_, 0xFFFFFFFFu);  // length -1
  has_null_ = true;
  ++count_;
  return *this;
}

Param Array::param() {
  char* h = buffer_.data();
  if (count_ == 0) {  // no dimensions: ndim 0, flags, element type (12 bytes, at the end)
    WriteInt32(h + 8, 0);
    WriteInt32(h + 12, 0);
    WriteInt32(h + 16, static_cast<uint32_t>(type_));
    return Param::Bytes(std::string_view(buffer_).substr(8));
  }
  WriteInt32(h, 1);
  WriteInt32(h + 4, has_null_ ? 1 : 0);
  WriteInt32(h + 8, static_cast<uint32_t>(type_));
  WriteInt32(h + 12, static_cast<uint32_t>(count_));
  WriteInt32(h + 16, 1);
  return Param::Bytes(buffer_);
}

// --- Rows ---------------------------------------------------------------------------------------

Rows::~Rows() {
  if (result_ != nullptr) PQclear(result_);
}

Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

int Rows::size() const { return result_ == nullptr ? 0 : PQntuples(result_); }

bool Rows::IsNull(int row, int col) const { return PQgetisnull(result_, row, col) != 0; }

std::string_view Rows::Text(int row, int col) const {
  return {PQgetvalue(result_, row, col), static_cast<size_t>(PQgetlength(result_, row, col))};
}

std::optional<std::string> Rows::OptionalText(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return std::string(Text(row, col));
}

int64_t Rows::Int(int row, int col) const {
  std::string_view t = Text(row, col);
  int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

bool Rows::Bool(int row, int col) const { return Text(row, col) == "t"; }

std::string Rows::Bytes(int row, int col) const {
  // bytea in text format is hex: "\x" followed by two digits per byte.
  std::string_view t = Text(row, col);
  if (t.size() < 2 || t[0] != '\\' || t[1] != 'x') return std::string(t);
  std::string out;
  out.resize((t.size() - 2) / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(HexDigit(t[2 + 2 * i]) * 16 + HexDigit(t[3 + 2 * i]));
  }
  return out;
}

std::optional<std::string> Rows::OptionalBytes(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Bytes(row, col);
}

int64_t Rows::affected() const {
  const char* n = result_ == nullptr ? nullptr : PQcmdTuples(result_);
  return n == nullptr || *n == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

// --- Connection ---------------------------------------------------------------------------------

Connection::Connection(pg_conn* conn, Options options)
    : conn_(conn), options_(std::move(options)) {}

Connection::~Connection() { PQfinish(conn_); }

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& uri, Options options) {
  pg_conn* conn = PQconnectdb(uri.c_str());
  if (conn == nullptr) {
    return Error{options.error_name, options.error_prefix + "cannot connect: out of memory"};
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    Error e{options.error_name, options.error_prefix + "cannot connect to " + Redacted(uri) + ": " +
                                    Message(PQerrorMessage(conn))};
    PQfinish(conn);
    return e;
  }
  std::unique_ptr<Connection> c(new Connection(conn, std::move(options)));
  // Notices (e.g. "relation already exists, skipping") are not errors; keep them off stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  // Rows::Bytes decodes bytea's hex output, whatever the server's default.
  STATOR_RETURN_IF_ERROR(c->Exec("SET bytea_output = 'hex'"));
  // A transaction left open by a process that froze (SIGSTOP, a VM pause) or hangs would keep
  // its row locks, and with them executions' leases and DynamoDB tables, from every other node
  // for as long as it lasts: the server ends such a session. stator's transactions are never
  // idle longer than a few round trips.
  STATOR_RETURN_IF_ERROR(c->Exec(std::string("SET idle_in_transaction_session_timeout = ") +
                                 std::to_string(kIdleInTransactionTimeoutMs)));
  return c;
}

bool Connection::ok() const { return PQstatus(conn_) == CONNECTION_OK; }

Error Connection::MakeError(std::string_view message) const {
  return Error{options_.error_name, options_.error_prefix + std::string(message)};
}

Result<Rows> Connection::Check(pg_result* result, std::string_view what) {
  Rows rows(result);
  ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return rows;
  std::string message = Message(result != nullptr ? PQresultErrorMessage(result) : nullptr);
  if (message.empty()) message = Message(PQerrorMessage(conn_));
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string cause = state != nullptr ? "[" + std::string(state) + "] " : "";
  return Error{options_.error_name,
               cause + options_.error_prefix + std::string(what) + ": " + message};
}

Status Connection::Exec(std::string_view sql) {
  STATOR_TRY(Rows rows, ExecRows(sql));
  return Status::Ok();
}

Result<Rows> Connection::ExecRows(std::string_view sql) {
  std::string text(sql);
  return Check(PQexec(conn_, text.c_str()), text.substr(0, 60));
}

namespace {

struct ParamArrays {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  explicit ParamArrays(std::span<const Param> params) {
    for (const Param& p : params) {
      values.push_back(p.data());
      lengths.push_back(p.size());
      formats.push_back(p.binary() ? 1 : 0);
    }
  }
};

}  // namespace

Result<Rows> Connection::Query(std::string_view sql, std::span<const Param> params) {
  std::string text(sql);
  ParamArrays a(params);
  return Check(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                            a.values.data(), a.lengths.data(), a.formats.data(), 0),
               text.substr(0, 60));
}

Result<Rows> Connection::Run(const char* name, std::string_view sql,
                             std::span<const Param> params) {
  if (std::find(prepared_.begin(), prepared_.end(), name) == prepared_.end()) {
    std::string text(sql);
    STATOR_TRY(Rows prepared,
               Check(PQprepare(conn_, name, text.c_str(), static_cast<int>(params.size()), nullptr),
                     std::string("prepare ") + name));
    prepared_.emplace_back(name);
  }
  ParamArrays a(params);
  return Check(PQexecPrepared(conn_, name, static_cast<int>(params.size()), a.values.data(),
                              a.lengths.data(), a.formats.data(), 0),
               name);
}

bool IsRetryable(const Error& e) {
  return e.cause.starts_with("[40001]") || e.cause.starts_with("[40P01]");
}

// --- Transaction --------------------------------------------------------------------------------

Transaction::Transaction(Connection* conn, std::string_view isolation) : conn_(conn) {
  std::string begin = "BEGIN";
  if (!isolation.empty()) begin += " ISOLATION LEVEL " + std::string(isolation);
  Status s = conn_->Exec(begin);
  if (!s.ok()) {
    begin_error_ = s.error();
    done_ = true;
  }
}

Transaction::~Transaction() {
  if (!done_) (void)conn_->Exec("ROLLBACK");
}

Status Transaction::Begun() const {
  if (begin_error_) return *begin_error_;
  return Status::Ok();
}

Status Transaction::Commit() {
  if (begin_error_) return *begin_error_;
  done_ = true;
  Status s = conn_->Exec("COMMIT");
  if (!s.ok()) (void)conn_->Exec("ROLLBACK");
  return s;
}

// --- Pool ---------------------------------------------------------------------------------------

Pool::Lease::~Lease() {
  if (conn_ != nullptr && pool_ != nullptr) pool_->Return(std::move(conn_));
}

Result<Pool::Lease> Pool::Acquire() {
  {
    MutexLock lock(&mu_);
    while (idle_.empty() && open_ >= max_connections_) returned_.Wait(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
    ++open_;  // this thread opens one (outside the lock)
  }
  Result<std::unique_ptr<Connection>> c = Connection::Open(uri_, options_);
  if (!c.ok()) {
    MutexLock lock(&mu_);
    --open_;
    returned_.Signal();
    return std::move(c).error();
  }
  return Lease(this, std::move(c).value());
}

void Pool::Return(std::unique_ptr<Connection> conn) {
  const bool broken = !conn->ok();
  if (broken) conn.reset();  // closed here, a new one is opened when needed
  MutexLock lock(&mu_);
  if (broken) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  returned_.Signal();
}

// --- Migrations ---------------------------------------------------------------------------------

Result<int> SchemaVersion(Connection* conn, std::string_view version_table) {
  std::string table(version_table);
  STATOR_TRY(Rows exists, conn->Query("SELECT to_regclass($1) IS NOT NULL", {Param::Text(table)}));
  if (!exists.Bool(0, 0)) return 0;
  STATOR_TRY(Rows rows, conn->Query("SELECT COALESCE(MAX(version), 0) FROM " + table));
  return static_cast<int>(rows.Int(0, 0));
}

Result<int> Migrate(Connection* conn, std::span<const Migration> migrations,
                    std::string_view version_table, int64_t lock_key) {
  STATOR_TRY(Rows locked, conn->Query("SELECT pg_advisory_lock($1)", {Param::Int(lock_key)}));
  auto migrate = [&]() -> Result<int> {
    std::string table(version_table);
    STATOR_RETURN_IF_ERROR(conn->Exec(
        "CREATE TABLE IF NOT EXISTS " + table +
        " (version INTEGER NOT NULL PRIMARY KEY, file TEXT NOT NULL, applied_at_ms BIGINT NOT "
        "NULL DEFAULT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT)"));
    STATOR_TRY(int current, SchemaVersion(conn, table));
    return ApplyPendingMigrations(
        current, migrations,
        [&](const Migration& m) -> Status {
          Transaction tx(conn);
          STATOR_RETURN_IF_ERROR(tx.Begun());
          STATOR_RETURN_IF_ERROR(conn->Exec(m.sql));
          STATOR_TRY(Rows recorded,
                     conn->Query("INSERT INTO " + table + " (version, file) VALUES ($1, $2)",
                                 {Param::Int(m.version), Param::Text(m.file)}));
          return tx.Commit();
        },
        [conn](std::string message) { return conn->MakeError(message); });
  };
  Result<int> version = migrate();
  (void)conn->Query("SELECT pg_advisory_unlock($1)", {Param::Int(lock_key)});
  return version;
}

}  // namespace stator::postgres
