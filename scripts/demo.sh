#!/usr/bin/env bash
# demo.sh: set up, build, crash examples/divide.py under pyhd-run, show the dump
# and open it in pyhd-debug. Interactive when run from a terminal.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build build -j"$(nproc)" >/dev/null || exit 1

demo=$(mktemp -d /tmp/pyhd-demo.XXXXXX)
echo "\$ build/pyhd-run --dump-dir=$demo examples/divide.py 5 0"
build/pyhd-run --dump-dir="$demo" examples/divide.py 5 0
echo "(exit status $?)"
dump=$(ls "$demo"/*.dump | head -n 1)
echo
echo "\$ tar tvf $dump"
tar tvf "$dump"
echo
echo "\$ build/pyhd-debug $dump"
if [ -t 0 ]; then
  exec build/pyhd-debug "$dump"
else
  printf 'where\nargs\np locals()\nquit\n' | build/pyhd-debug "$dump"
fi
