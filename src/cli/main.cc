// The stator executable: wiring only; everything happens in cli::Main.
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "integrations/subprocess.h"

namespace {

// On SIGINT/SIGTERM/SIGHUP: take the task commands (in process groups of their own) down too,
// then die of the signal as usual.
void OnTerminatingSignal(int sig) {
  stator::integrations::KillRunningProcessGroups();
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

int main(int argc, char** argv) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, OnTerminatingSignal);
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = stator::cli::Main(args, std::cout, std::cerr);
  std::cout.flush();
  return code;
}
