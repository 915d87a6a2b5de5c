#!/usr/bin/env bash
# Checks that every C++ file git tracks (and every new one it does not ignore) is formatted as
# clang-format writes it with the repository's .clang-format. Lists the files that are not and
# exits 1; `clang-format -i FILE` formats one.
#
# usage: scripts/check_format.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v clang-format >/dev/null 2>&1; then
  echo "check_format: clang-format is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cc' '*.h')
bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue  # deleted in the working tree
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done
if [ ${#bad[@]} -ne 0 ]; then
  echo "check_format: ${#bad[@]} of ${#files[@]} files are not clang-formatted:"
  printf '  %s\n' "${bad[@]}"
  echo "(format them with: clang-format -i FILE...)"
  exit 1
fi
echo "check_format: ${#files[@]} files, all clang-formatted ($(clang-format --version | head -1))"
