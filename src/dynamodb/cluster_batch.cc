// The Service on PostgreSQL, how calls run: the io threads only queue them (Submit); one thread
// runs the reads and one the writes, each taking what was queued meanwhile as one group, so that
// a group shares its round trips to PostgreSQL and nobody holds the node's lock (mu) across a
// round trip that could wait for another node.
//
// Reads: one query reads the current version of every table the group names (outside mu);
// then, under mu, each read whose tables memory holds at those versions or later runs in memory
// at once, others catch up first (cluster.cc). The versions are read after the reads were
// queued, so a read sees every write committed (by any node) before it began.
//
// Writes of items (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems) run in
// batches, one transaction each (ItemBatch): BEGIN, the rows of the first call's tables locked
// in name order (waiting for other nodes' transactions), caught up unless memory is at the
// versions the lock returned; then, under mu, every
// following call of the group whose tables the transaction holds or can lock without waiting
// (FOR UPDATE SKIP LOCKED; a table held elsewhere ends the batch, the call starts the next)
// runs in memory and adds its changes, and so do the calls queued meanwhile; then, outside mu, the
// changes are written with each table's next version and COMMIT; then every call of the batch is
// answered. Table changes (CreateTable, ...) run alone as before (cluster.cc, WriteInCluster).
//
// No deadlock among nodes: a transaction waits for a lock only in its first statement, holding
// no lock yet, while it takes its first rows in name order; every later lock of a batch is
// taken without waiting. So a transaction that waits holds only rows named lower than the one it
// waits for, and a cycle of waits would need a name lower than itself. (A table change also
// inserts a new table's row and bumps the catalog row; those two, in that order, are taken only
// by table changes, one table at a time, so they close no cycle either.)
//
// Durability: a call that changed memory gets a write number (BatchWaiters); every call waits
// for the batch of the last number memory held when it ran (visible_seq) and is answered with
// its response once that batch committed, with the commit's error if it failed. Memory holds
// uncommitted writes only of the one batch being built or committed, and only for tables whose
// rows it holds locked (no other node can commit them meanwhile, and their version in memory
// is PostgreSQL's, so a read's catch-up adds nothing to them). When a batch fails, its tables
// are dropped from memory (reloaded at next use) before its calls are answered, and only then
// does the next batch start: memory never keeps a write PostgreSQL did not commit.
#include <algorithm>
#include <map>
#include <set>

#include "dynamodb/service_impl.h"

namespace stator::dynamodb {

void Service::Impl::Submit(std::string_view op, const json::Value& req,
                           std::function<void(Service::Response)> done) {
  QueuedCall call{std::string(op), req, std::move(done)};
  if (IsWrite(op)) {
    writes->Push(std::move(call));
  } else {
    reads->Push(std::move(call));
  }
}

namespace {

// Answers a call once the batch of `wait` has ended.
void Reply(BatchWaiters& ended, QueuedCall& call, Service::Response r, uint64_t wait) {
  ended.WhenEnded(wait, [r = std::move(r), done = std::move(call.done)](const Status& s) mutable {
    done(s.ok() ? std::move(r) : ErrorResponse(s.error(), {}));
  });
}

}  // namespace

bool Service::Impl::UpToDate(const std::vector<std::string>& names,
                             const std::vector<PostgresStorage::TableState>& states) {
  for (const std::string& name : names) {
    auto s = std::lower_bound(
        states.begin(), states.end(), name,
        [](const PostgresStorage::TableState& a, const std::string& b) { return a.name < b; });
    auto t = tables.find(name);
    if (s == states.end() || s->name != name) {
      if (t != tables.end()) return false;  // gone
      continue;
    }
    if (t == tables.end() || t->second.meta.table_id != s->table_id ||
        t->second.meta_version != s->meta_version || t->second.version < s->version) {
      return false;
    }
  }
  return true;
}

void Service::Impl::ReadGroup(std::vector<QueuedCall>& calls) {
  std::vector<std::vector<std::string>> names(calls.size());
  std::set<std::string> all;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (!calls[i].req.is_object() || calls[i].op == "ListTables") continue;
    names[i] = TablesOf(calls[i].req);
    all.insert(names[i].begin(), names[i].end());
  }
  Result<std::vector<PostgresStorage::TableState>> states =
      reader->Versions({all.begin(), all.end()});
  std::vector<std::pair<Response, uint64_t>> out;
  out.reserve(calls.size());
  {
    MutexLock lock(&mu);
    for (size_t i = 0; i < calls.size(); ++i) {
      const QueuedCall& c = calls[i];
      extras.clear();
      Result<json::Value> r = json::Value();
      if (!c.req.is_object()) {
        r = Dispatch(c.op, c.req);
      } else if (c.op == "ListTables") {
        Status synced = SyncCatalog(reader.get());
        r = synced.ok() ? Dispatch(c.op, c.req) : Result<json::Value>(synced.error());
      } else if (!states.ok()) {
        r = states.error();
      } else {
        Status caught =
            UpToDate(names[i], *states) ? Status::Ok() : CatchUp(names[i], reader.get());
        r = caught.ok() ? Dispatch(c.op, c.req) : Result<json::Value>(caught.error());
      }
      uint64_t wait = 0;
      Response response = Answer(std::move(r), &wait);
      out.emplace_back(std::move(response), wait);
    }
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    Reply(ended, calls[i], std::move(out[i].first), out[i].second);
  }
}

void Service::Impl::WriteGroup(std::vector<QueuedCall>& calls) {
  size_t i = 0;
  while (i < calls.size()) {
    QueuedCall& c = calls[i];
    if (IsItemWrite(c.op) && c.req.is_object() && !TablesOf(c.req).empty()) {
      ItemBatch(calls, &i);
      continue;
    }
    // A table change (or a call naming no table, which fails validation): alone.
    Response r;
    uint64_t wait = 0;
    {
      MutexLock lock(&mu);
      extras.clear();
      r = Answer(RunInCluster(c.op, c.req), &wait);
    }
    Reply(ended, c, std::move(r), wait);
    ++i;
  }
}

namespace {

// The calls a batch takes at most, to bound how long the first of them waits for its answer.
constexpr size_t kMaxBatch = 1024;

}  // namespace

void Service::Impl::ItemBatch(std::vector<QueuedCall>& calls, size_t* i) {
  struct Ran {
    size_t call;
    Response response;
    uint64_t wait;
  };
  std::vector<Ran> ran;
  std::set<std::string> locked;             // the tables whose rows the transaction holds
  std::map<std::string, int64_t> versions;  // those that exist: their version when locked
  std::map<std::string, std::string> ids;   // and their table_id
  std::vector<Storage::Change> changes;     // of the whole batch, in order
  uint64_t first_seq = 0, end_seq = 0;
  // The one lock wait of the batch, holding nothing yet (see the top of the file).
  Result<std::vector<PostgresStorage::TableState>> first = postgres->Begin(TablesOf(calls[*i].req));
  Status failed = first.ok() ? Status::Ok() : Status(first.error());
  {
    MutexLock lock(&mu);
    if (!failed.ok()) {
      ran.push_back(Ran{*i, ErrorResponse(failed.error(), {}), 0});
      ++*i;
    }
    for (; failed.ok(); ++*i) {
      // The calls queued while the batch was being built join it (it has not committed yet).
      if (ran.size() >= kMaxBatch) break;
      if (*i == calls.size() && !writes->TakeMore(&calls)) break;
      QueuedCall& c = calls[*i];
      if (!IsItemWrite(c.op) || !c.req.is_object()) break;
      std::vector<std::string> names = TablesOf(c.req);
      if (names.empty()) break;
      std::vector<std::string> missing;
      for (const std::string& n : names) {
        if (!locked.count(n)) missing.push_back(n);
      }
      if (!missing.empty()) {
        if (!locked.empty()) {  // not the first call: no waiting
          Result<bool> got = postgres->TryLock(missing);
          if (!got.ok()) {
            failed = got.error();
          } else if (!*got) {
            break;  // held by another transaction: the call starts the next batch
          }
        }
        // The first call's tables need no catch-up when memory is at the versions locked.
        bool current = locked.empty() && UpToDate(missing, *first);
        if (failed.ok() && !current) failed = CatchUp(missing, postgres.get());
        if (!failed.ok()) {
          ran.push_back(Ran{*i, ErrorResponse(failed.error(), {}), 0});
          ++*i;
          break;
        }
        for (const std::string& n : missing) {
          locked.insert(n);
          if (auto t = tables.find(n); t != tables.end()) {
            versions[n] = t->second.version;  // PostgreSQL's: caught up under the lock
            ids[n] = t->second.meta.table_id;
          }
        }
      }
      extras.clear();
      size_t before = changes.size();
      collecting = &changes;
      Result<json::Value> r = Dispatch(c.op, c.req);
      collecting = nullptr;
      if (changes.size() != before) {
        visible_seq = ++last_seq;
        if (first_seq == 0) first_seq = last_seq;
        end_seq = last_seq;
        if (!r.ok()) failed = r.error();  // a call failing after it wrote (not expected)
      }
      uint64_t wait = 0;
      Response response = Answer(std::move(r), &wait);
      ran.push_back(Ran{*i, std::move(response), wait});
      if (!failed.ok()) {
        ++*i;
        break;
      }
    }
  }
  Status s = failed;
  std::map<std::string, int64_t> meta_versions;  // none: items only
  if (s.ok() && !changes.empty()) {
    s = postgres->Write(changes, versions, &meta_versions);
    if (s.ok()) s = postgres->Commit();
  }
  postgres->Rollback();  // ends the transaction when nothing was committed; no-op otherwise
  if (!changes.empty() || !s.ok()) {
    MutexLock lock(&mu);
    if (s.ok()) {
      // Memory holds exactly what this commit wrote on top of the version caught up to.
      std::set<std::string> written;
      for (const Storage::Change& c : changes) written.insert(c.table);
      for (const std::string& name : written) {
        auto t = tables.find(name);
        auto v = versions.find(name);
        if (t != tables.end() && v != versions.end() && t->second.meta.table_id == ids[name]) {
          t->second.version = std::max(t->second.version, v->second + 1);
        }
      }
    } else {
      Forget({locked.begin(), locked.end()});
      visible_seq = 0;  // memory holds no uncommitted write now
    }
  }
  if (first_seq != 0) ended.End(end_seq, s);
  for (Ran& r : ran) Reply(ended, calls[r.call], std::move(r.response), r.wait);
}

}  // namespace stator::dynamodb
