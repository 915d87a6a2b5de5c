// compile_bench: how long asl::Compile takes (JSON parse + validation + IR) on long Pass chains,
// the shape `stator validate` / `stator run` of a large definition pays once per call.
//
// usage: compile_bench [--states N] [--runs N]
//   Generates two chains of N states (default 10,000) in memory:
//     plain:  {"Type":"Pass","Next":"PassK+1"}                                   (~437 KB at 10k)
//     result: {"Type":"Pass","Result":{"i":K},"ResultPath":"$.r","Next":"PassK+1"} (~956 KB)
//   and compiles each --runs times (default 50), reporting the minimum and the median of the wall
//   time and of the thread's CPU time (on a loaded machine the CPU time is the steadier figure).
//   Freeing the compiled machine is timed apart (free_*); parse_cpu_* is json::Parse of the text
//   and freeing its tree alone (part of Compile).
// Output: one JSON object per chain:
//   {"case":"plain","states":N,"bytes":B,"runs":R,"min_ms":...,"median_ms":...,
//    "cpu_min_ms":...,"cpu_median_ms":...,"free_min_ms":...,"parse_cpu_min_ms":...}
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "asl/compiler.h"
#include "common/json.h"

namespace stator::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string Chain(int states, bool with_result) {
  std::string out = "{\"Comment\":\"chain\",\"StartAt\":\"Pass0\",\"States\":{";
  for (int i = 0; i < states; ++i) {
    if (i > 0) out += ',';
    std::string n = std::to_string(i);
    out += "\"Pass" + n + "\":{\"Type\":\"Pass\",";
    if (with_result) out += "\"Result\":{\"i\":" + n + "},\"ResultPath\":\"$.r\",";
    if (i + 1 < states) {
      out += "\"Next\":\"Pass" + std::to_string(i + 1) + "\"}";
    } else {
      out += "\"End\":true}";
    }
  }
  out += "}}";
  return out;
}

int Main(int argc, char** argv) {
  int states = 10000;
  int runs = 50;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--states" && i + 1 < argc) {
      states = std::atoi(argv[++i]);
    } else if (a == "--runs" && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: compile_bench [--states N] [--runs N]\n");
      return 2;
    }
  }
  if (states < 1 || runs < 1) return 2;
  for (bool with_result : {false, true}) {
    std::string def = Chain(states, with_result);
    std::vector<double> ms, cpu, free_ms, parse_cpu;
    for (int r = 0; r < runs; ++r) {
      {
        double c0 = ThreadCpuMs();
        Result<json::Value> parsed = json::Parse(def);
        parsed = json::Value();
        parse_cpu.push_back(ThreadCpuMs() - c0);
      }
      auto t0 = SteadyClock::now();
      double c0 = ThreadCpuMs();
      asl::CompileResult c = asl::Compile(std::string_view(def));
      cpu.push_back(ThreadCpuMs() - c0);
      ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
      if (!c.ok()) {
        std::fprintf(stderr, "compile_bench: %s\n",
                     asl::InvalidDefinitionMessage(c.diagnostics).c_str());
        return 1;
      }
      t0 = SteadyClock::now();
      c = asl::CompileResult();
      free_ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
    }
    std::printf(
        "{\"case\":\"%s\",\"states\":%d,\"bytes\":%zu,\"runs\":%d,\"min_ms\":%.3f,"
        "\"median_ms\":%.3f,\"cpu_min_ms\":%.3f,\"cpu_median_ms\":%.3f,\"free_min_ms\":%.3f,"
        "\"parse_cpu_min_ms\":%.3f}\n",
        with_result ? "result" : "plain", states, def.size(), runs,
        *std::min_element(ms.begin(), ms.end()), Median(ms),
        *std::min_element(cpu.begin(), cpu.end()), Median(cpu),
        *std::min_element(free_ms.begin(), free_ms.end()),
        *std::min_element(parse_cpu.begin(), parse_cpu.end()));
  }
  return 0;
}

}  // namespace
}  // namespace stator::bench

int main(int argc, char** argv) { return stator::bench::Main(argc, argv); }
