#!/usr/bin/env bash
# test.sh: set up, build from scratch and run every test:
#   1. the whole suite (unit + e2e) on a -Werror build against the default python;
#   2. the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the end-to-end tests against every pyenv CPython 3.10 to 3.13 that is present
#      (skipped, with a line saying so, when absent), with dumps crossing versions;
#   4. installing: pip install . into a venv, and building, linting and installing
#      the Debian package (tests/package);
#   5. the whole dump reader under libFuzzer for 60 s (skipped without clang).
# Build trees go to build-test/. Exit status 0 only if every run passed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
out=build-test
rm -rf "$out"
mkdir -p "$out"
jobs=$(nproc)
status=0
passed=0
failed=0

# configure_build NAME [cmake args...]
configure_build() {
  local name=$1; shift
  echo "== build $name"
  cmake -S . -B "$out/$name" -DPYHD_WERROR=ON "$@" >"$out/$name.configure.log" 2>&1 &&
    cmake --build "$out/$name" -j"$jobs" >"$out/$name.build.log" 2>&1 || {
      cat "$out/$name.configure.log" "$out/$name.build.log" | tail -n 60
      echo "== build $name FAILED"
      return 1
    }
}

# run_ctest NAME [ctest args...]
run_ctest() {
  local name=$1; shift
  echo "== test $name"
  ctest --test-dir "$out/$name" --output-on-failure "$@" 2>&1 | tee "$out/$name.ctest.log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$out/$name.ctest.log" | tail -n 1)
  if [ -n "$line" ]; then
    local total fail
    fail=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
    passed=$((passed + total - fail))
    failed=$((failed + fail))
  fi
  [ "$rc" -eq 0 ] || status=1
}

if configure_build default; then run_ctest default; else status=1; failed=$((failed + 1)); fi

if configure_build asan -DPYHD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug; then
  ASAN_OPTIONS=detect_leaks=0 run_ctest asan -LE regrtest
else
  status=1; failed=$((failed + 1))
fi

# Every pyenv CPython from 3.10 up that is present.
pyenv_root=$( (pyenv root) 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
others=()
versions=()
for minor in 10 11 12 13; do
  dir=$(ls -d "$pyenv_root"/versions/3."$minor".* 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ] || [ ! -x "$dir/bin/python3" ]; then
    echo "== skipping Python 3.$minor: not installed under $pyenv_root/versions"
    continue
  fi
  if ! ls "$dir"/lib/libpython3."$minor"*.so* >/dev/null 2>&1; then
    echo "== skipping Python 3.$minor: $dir has no shared libpython"
    continue
  fi
  if configure_build "py3$minor" -DPython3_ROOT_DIR="$dir" -DPython3_EXECUTABLE="$dir/bin/python3"; then
    versions+=("py3$minor")
    others+=("$PWD/$out/py3$minor/pyhd-debug")
  else
    status=1; failed=$((failed + 1))
  fi
done
for v in "${versions[@]}"; do
  PYHD_DEBUG_OTHERS="${others[*]}" run_ctest "$v" -L e2e
done
# CPython's regression tests under pyhd-run, against the pyenv 3.11 (Debian's
# python has no test package): a few minutes, so once, not per version.
for v in "${versions[@]}"; do
  if [ "$v" = py311 ]; then run_ctest "$v" -L regrtest; fi
done

# Installing: pip install . into a venv, and the Debian package (tests/package).
for t in tests/package/test_pip.sh tests/package/test_deb.sh; do
  echo "== $t"
  if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
done

# The whole reader under libFuzzer for 60 s (tests/fuzz/README.md), when clang can build it.
if command -v clang >/dev/null 2>&1; then
  echo "== fuzz fuzz_reader (60 s)"
  if CC=clang cmake -S . -B "$out/fuzz" -DPYHD_FUZZ=ON >"$out/fuzz.configure.log" 2>&1 &&
     cmake --build "$out/fuzz" -j"$jobs" --target fuzz_reader >"$out/fuzz.build.log" 2>&1; then
    rm -rf "$out/fuzz-corpus"
    mkdir -p "$out/fuzz-corpus" "$out/fuzz-artifacts"
    cp tests/fuzz/seeds/* "$out/fuzz-corpus/"
    if ASAN_OPTIONS=detect_leaks=0 "$out/fuzz/tests/fuzz/fuzz_reader" -max_total_time=60 \
         -rss_limit_mb=2048 -timeout=30 -max_len=65536 -artifact_prefix="$out/fuzz-artifacts/" \
         "$out/fuzz-corpus" >"$out/fuzz.log" 2>&1; then
      passed=$((passed + 1))
    else
      tail -n 60 "$out/fuzz.log"
      echo "== fuzz FAILED: the input is in $out/fuzz-artifacts/"
      failed=$((failed + 1))
    fi
  else
    cat "$out/fuzz.configure.log" "$out/fuzz.build.log" | tail -n 60
    echo "== build fuzz FAILED"
    failed=$((failed + 1))
  fi
else
  echo "== skipping the fuzz run: clang is not installed (apt install clang)"
fi

echo
echo "test.sh: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] || status=1
exit $status
