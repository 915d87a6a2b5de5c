// jsonata_bench: stator's side of the JSONata benchmark (bench/jsonata_bench.py drives it and
// the reference's side, bench/jsonata_bench.mjs, on the same spec). Everything is in process:
// each expression is compiled once (jsonata::Expression::Compile) and evaluated many times.
//
// usage: jsonata_bench SPEC_FILE
//   SPEC_FILE: {"asl": [{"name", "expr", "input"?, "bindings"?, "iters"}], "suite": [request...],
//   "suite_limits": [request...], "repeat": R}; a suite request is a `stator jsonata --batch`
//   line ({"expr", "input"?, "bindings"?, "timelimit"?, "depth"?}). "suite_limits" is timed
//   apart from "suite" (the driver puts there the cases that run into a time or depth limit).
// Output, one JSON object on stdout:
//   {"system":"stator","asl":[{"name","iters","ns_per_eval","cpu_ns_per_eval","result"}],
//    "suite"/"suite_limits":{"cases","compile_s","eval_s","cpu_eval_s","compile_eval_s",
//                            "slowest":[{"case","s"}],
//             "outcomes":{...}}}
// ns_per_eval: the best of R timed loops of `iters` evaluations (after a warm-up of iters/10,
// at least 1,000), the result freed inside the loop; cpu_*: the same loops' process CPU time.
// eval_s: the best of R passes that evaluate every suite case once with its expression compiled
// beforehand (after one warm-up pass); compile_eval_s: the same with each expression compiled
// inside the pass. slowest: the ten slowest cases of the warm-up pass (index into the suite array,
// seconds). Single-threaded; owns nothing beyond main's locals.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.h"
#include "jsonata/jsonata.h"

namespace stator::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// CPU time of this process (all threads), seconds: under a loaded machine it moves less than
// wall time, which counts the time other processes hold the CPU.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "jsonata_bench: %s\n", msg.c_str());
  std::exit(2);
}

json::Value ReadJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  Result<json::Value> v = json::Parse(ss.str());
  if (!v.ok()) Die(path + ": " + v.error().cause);
  return std::move(v).value();
}

// One request, parsed once: the input, bindings and limits an evaluation takes.
struct Request {
  std::string expr;
  jsonata::Arg input;
  jsonata::BindingList bindings;
  jsonata::Limits limits;
};

Request ParseRequest(const json::Value& v) {
  Request r;
  const json::Value* expr = v.Find("expr");
  if (!expr || !expr->is_string()) Die("a request needs a string \"expr\"");
  r.expr = expr->as_string();
  if (const json::Value* in = v.Find("input")) r.input = *in;
  if (const json::Value* b = v.Find("bindings"); b && b->is_object()) {
    for (const auto& [k, m] : b->as_object()) r.bindings.Add(k, m);
  }
  const json::Value* tl = v.Find("timelimit");
  const json::Value* depth = v.Find("depth");
  if (tl && tl->is_number()) r.limits.time_limit_ms = static_cast<int64_t>(tl->as_double());
  if (depth && depth->is_number()) r.limits.max_depth = static_cast<int>(depth->as_double());
  return r;
}

jsonata::Expression CompileOrDie(const std::string& text) {
  auto e = jsonata::Expression::Compile(text);
  if (!e.ok()) Die("cannot compile " + text + ": " + e.error().code + " " + e.error().message);
  return std::move(e).value();
}

json::Value BenchAsl(const json::Value& c, int repeat) {
  Request req = ParseRequest(c);
  const json::Value* name = c.Find("name");
  const json::Value* iters_v = c.Find("iters");
  int64_t iters = iters_v && iters_v->is_number() ? iters_v->as_int() : 100000;
  jsonata::Expression expr = CompileOrDie(req.expr);
  std::string last = "undefined";
  auto once = [&]() -> Result<jsonata::Arg, jsonata::Error> {
    auto r = expr.Evaluate(req.input, &req.bindings, req.limits);
    if (!r.ok()) Die(req.expr + ": " + r.error().code + " " + r.error().message);
    return r;
  };
  if (auto r = once(); r->has_value()) last = (**r).Dump();
  const int64_t warm = std::max<int64_t>(1000, iters / 10);
  for (int64_t i = 0; i < warm; ++i) (void)once();
  double best = std::numeric_limits<double>::infinity();
  double best_cpu = best;
  for (int r = 0; r < repeat; ++r) {
    auto t0 = SteadyClock::now();
    const double c0 = CpuSeconds();
    for (int64_t i = 0; i < iters; ++i) (void)once();
    best = std::min(best, SecondsSince(t0));
    best_cpu = std::min(best_cpu, CpuSeconds() - c0);
  }
  return json::Value::MakeObject(
      {{"name", name ? *name : json::Value::String(req.expr)},
       {"iters", json::Value::Int(iters)},
       {"ns_per_eval", json::Value::Double(best / static_cast<double>(iters) * 1e9)},
       {"cpu_ns_per_eval", json::Value::Double(best_cpu / static_cast<double>(iters) * 1e9)},
       {"result", json::Value::String(last)}});
}

// "result", "undefined" or "error".
const char* EvalOnce(const jsonata::Expression* expr, const Request& req) {
  if (expr == nullptr) return "error";
  auto r = expr->Evaluate(req.input, &req.bindings, req.limits);
  if (!r.ok()) return "error";
  return r->has_value() ? "result" : "undefined";
}

json::Value BenchSuite(const json::Array& reqs_json, int repeat) {
  std::vector<Request> reqs;
  reqs.reserve(reqs_json.size());
  for (const json::Value& v : reqs_json) reqs.push_back(ParseRequest(v));

  auto t0 = SteadyClock::now();
  std::vector<std::optional<jsonata::Expression>> compiled(reqs.size());
  for (size_t i = 0; i < reqs.size(); ++i) {
    auto e = jsonata::Expression::Compile(reqs[i].expr);
    if (e.ok()) compiled[i] = std::move(e).value();
  }
  const double compile_s = SecondsSince(t0);

  int64_t n_result = 0, n_undefined = 0, n_error = 0;
  std::vector<std::pair<double, size_t>> times;  // seconds, case index
  for (size_t i = 0; i < reqs.size(); ++i) {     // warm-up, counting outcomes and timing each case
    auto tc = SteadyClock::now();
    std::string_view o = EvalOnce(compiled[i] ? &*compiled[i] : nullptr, reqs[i]);
    times.emplace_back(SecondsSince(tc), i);
    (o == "result" ? n_result : o == "undefined" ? n_undefined : n_error)++;
  }
  std::sort(times.begin(), times.end(), std::greater<>());
  json::Array slowest;
  for (size_t k = 0; k < std::min<size_t>(10, times.size()); ++k) {
    slowest.push_back(
        json::Value::MakeObject({{"case", json::Value::Int(static_cast<int64_t>(times[k].second))},
                                 {"s", json::Value::Double(times[k].first)}}));
  }
  double best = std::numeric_limits<double>::infinity();
  double best_cpu = best;
  for (int r = 0; r < repeat; ++r) {
    auto t1 = SteadyClock::now();
    const double c1 = CpuSeconds();
    for (size_t i = 0; i < reqs.size(); ++i) {
      EvalOnce(compiled[i] ? &*compiled[i] : nullptr, reqs[i]);
    }
    best = std::min(best, SecondsSince(t1));
    best_cpu = std::min(best_cpu, CpuSeconds() - c1);
  }
  double best_full = std::numeric_limits<double>::infinity();
  for (int r = 0; r < repeat; ++r) {
    auto t2 = SteadyClock::now();
    for (const Request& req : reqs) {
      auto e = jsonata::Expression::Compile(req.expr);
      if (e.ok()) EvalOnce(&*e, req);
    }
    best_full = std::min(best_full, SecondsSince(t2));
  }
  return json::Value::MakeObject(
      {{"cases", json::Value::Int(static_cast<int64_t>(reqs.size()))},
       {"compile_s", json::Value::Double(compile_s)},
       {"eval_s", json::Value::Double(best)},
       {"cpu_eval_s", json::Value::Double(best_cpu)},
       {"compile_eval_s", json::Value::Double(best_full)},
       {"slowest", json::Value::MakeArray(std::move(slowest))},
       {"outcomes", json::Value::MakeObject({{"result", json::Value::Int(n_result)},
                                             {"undefined", json::Value::Int(n_undefined)},
                                             {"error", json::Value::Int(n_error)}})}});
}

int Main(int argc, char** argv) {
  if (argc != 2) Die("usage: jsonata_bench SPEC_FILE");
  json::Value spec = ReadJson(argv[1]);
  const json::Value* repeat_v = spec.Find("repeat");
  const int repeat = repeat_v && repeat_v->is_number() ? static_cast<int>(repeat_v->as_int()) : 3;
  json::Array asl;
  if (const json::Value* a = spec.Find("asl"); a && a->is_array()) {
    for (const json::Value& c : a->as_array()) asl.push_back(BenchAsl(c, repeat));
  }
  json::Object out = {{"system", json::Value::String("stator")},
                      {"asl", json::Value::MakeArray(std::move(asl))}};
  for (const char* key : {"suite", "suite_limits"}) {
    if (const json::Value* s = spec.Find(key); s && s->is_array()) {
      out.emplace_back(key, BenchSuite(s->as_array(), repeat));
    }
  }
  std::printf("%s\n", json::Value::MakeObject(std::move(out)).Dump().c_str());
  return 0;
}

}  // namespace
}  // namespace stator::bench

int main(int argc, char** argv) { return stator::bench::Main(argc, argv); }
