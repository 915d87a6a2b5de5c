#!/usr/bin/env bash
# Sets up a Debian 12 machine for stator and builds it.
#
# usage: scripts/setup.sh [TARGET...]
#   Installs the Debian packages that the build, the tests, the fuzzers and the benchmarks need
#   (only those missing; 'apt-get update' runs only when something is missing), then configures
#   and builds stator into build/ (RelWithDebInfo: -O2 -g). With TARGETs, builds only those
#   (e.g. 'stator'); without, builds everything.
# environment:
#   BUILD_DIR   build directory (default: <repo>/build)
#   BUILD_TYPE  CMake build type (default: RelWithDebInfo)
#   JOBS        parallel build jobs (default: number of CPUs)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
build_type="${BUILD_TYPE:-RelWithDebInfo}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Debian packages, by what needs them.
packages=(
  cmake make g++ pkg-config              # the build
  libgtest-dev googletest                # unit tests (GoogleTest)
  libboost1.81-dev                       # the HTTP server (Boost.Beast / Asio)
  libsqlite3-dev                         # the embedded store
  libpq-dev                              # the PostgreSQL store (--store postgresql://...)
  postgresql                             # tests and benchmarks: a throwaway server
                                         #   (scripts/postgres.sh)
  libre2-dev                             # JSONPath filter regexes (linear-time matching)
  librabbitmq-dev                        # KNIX's AMQP triggers (rabbitmq-c, an AMQP 0-9-1 client)
  rabbitmq-server                        # tests: a throwaway AMQP broker (scripts/rabbitmq.sh)
  zlib1g-dev                             # function deployment packages (zip: deflate)
  libyaml-cpp-dev                        # stator deploy: SAM / CloudFormation templates (YAML)
  bubblewrap                             # the function sandbox (bwrap)
  zip unzip                              # zip_package_test: packages built and read by Info-ZIP
  gcc                                    # tests/api/test_functions.py builds native code
  time                                   # peak memory in bench/run.py (GNU time)
  wrk                                    # HTTP load in bench/server_bench.py, bench/waits_bench.py
  clang libclang-rt-14-dev               # test.sh's clang stage: thread-safety analysis,
                                         #   ASan/UBSan, the fuzzers (libFuzzer)
  clang-format                           # test.sh: the format check (scripts/check_format.sh)
  ca-certificates                        # npm over https (benchmark peer)
  awscli                                 # /usr/bin/aws, AWS CLI v2 (2.9.19 in Debian 12): tests/api
  libnss-myhostname                      # *.localhost resolves to loopback (below): the
                                         #   documented endpoint http://stator.localhost:PORT
)
# The Python tests and replay.py (tests/conformance) need boto3 in the Python that runs them:
# tests/CMakeLists.txt takes the first of `python3` on PATH and /usr/bin/python3 that imports it.
# When neither does, Debian's python3-boto3 (1.26) gives /usr/bin/python3 one. moto is not
# installed: it is the optional oracle of the differential DynamoDB tests (ctest shows
# api_dynamodb_needs_moto as Skipped without it) and a benchmark peer, never a dependency.
python_has_boto3() { "$1" -c "import boto3, botocore" >/dev/null 2>&1; }
path_python="$(command -v python3 || true)"
if ! { [ -n "$path_python" ] && python_has_boto3 "$path_python"; } &&
   ! { [ -x /usr/bin/python3 ] && python_has_boto3 /usr/bin/python3; }; then
  packages+=(python3-boto3)
fi
# Commands that may come from elsewhere than Debian's packages (a preinstalled Python or Node):
# install the Debian package only when the command is missing.
declare -A command_packages=([python3]=python3 [node]=nodejs [npm]=npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
for c in "${!command_packages[@]}"; do
  if ! command -v "$c" >/dev/null 2>&1; then
    missing+=("${command_packages[$c]}")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all packages present" >&2
fi

# The API tests and the AWS-recorded conformance gate call Step Functions operations and read
# response members that a botocore older than late 2024 does not model (Debian 12's 1.29 lacks
# versions, ValidateStateMachineDefinition, TestState, variableReferences): say so loudly.
for py in "$path_python" /usr/bin/python3; do
  if [ -n "$py" ] && python_has_boto3 "$py"; then
    "$py" - <<'PYEOF' || true
import sys
import botocore
import botocore.session
model = botocore.session.get_session().get_service_model("stepfunctions")
if ("ValidateStateMachineDefinition" not in model.operation_names or "variableReferences"
        not in model.operation_model("DescribeStateMachine").output_shape.members):
    print(f"setup: WARNING: botocore {botocore.__version__} in {sys.executable} is too old for "
          "the API tests and the AWS-recorded conformance gate (its Step Functions model lacks "
          "ValidateStateMachineDefinition and variableReferences): they fail or are Skipped",
          file=sys.stderr)
PYEOF
    break
  fi
done

# StartSyncExecution and TestState: the AWS CLIs and the JS SDK put "sync-" before the endpoint's
# host name (http://127.0.0.1:PORT becomes http://sync-127.0.0.1:PORT, which does not resolve;
# the CLIs have no switch to turn it off). The documented endpoint is http://stator.localhost:PORT:
# with nss-myhostname in the hosts line of /etc/nsswitch.conf, every *.localhost name, and so
# sync-stator.localhost, resolves to loopback (docs/api.md, "Endpoint name").
if [ -f /etc/nsswitch.conf ] && ! grep -Eq '^hosts:.*\bmyhostname\b' /etc/nsswitch.conf; then
  sudo_nss=""
  [ "$(id -u)" -ne 0 ] && sudo_nss="sudo"
  echo "setup: enabling myhostname in /etc/nsswitch.conf (hosts): *.localhost → loopback" >&2
  $sudo_nss sed -i -E 's/^(hosts:[[:space:]]*files)/\1 myhostname/' /etc/nsswitch.conf
fi
if ! getent hosts sync-stator.localhost >/dev/null 2>&1; then
  echo "setup: WARNING: sync-stator.localhost does not resolve: StartSyncExecution and TestState" \
    "from the AWS CLI need it (see docs/api.md, \"Endpoint name\")" >&2
fi

# The JSONata reference (npm jsonata 2.0.6, no dependencies of its own) for the differential test
# (tests/jsonata/differential.py): pinned by tests/jsonata/package.json and its lock file.
if [ ! -f "$root/tests/jsonata/node_modules/jsonata/package.json" ]; then
  echo "setup: npm ci in tests/jsonata (the JSONata reference for the differential test)" >&2
  (cd "$root/tests/jsonata" && npm ci --no-audit --no-fund --silent) || \
    echo "setup: WARNING: npm ci in tests/jsonata failed: jsonata_differential will fail" >&2
fi

echo "setup: building into $build ($build_type)" >&2
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="$build_type" >"$build/cmake.log" 2>&1 || {
  cat "$build/cmake.log" >&2
  exit 1
}
if [ $# -gt 0 ]; then
  cmake --build "$build" -j "$jobs" --target "$@"
else
  cmake --build "$build" -j "$jobs"
fi
