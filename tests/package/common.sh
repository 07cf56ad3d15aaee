# common.sh: helpers for the install tests (sourced).
# A crashing program, run by the given pyhd-run; its dump must open in the given pyhd-debug.
# check_crash PYHD_RUN PYHD_DEBUG PYTHON
check_crash() {
  local run=$1 debug=$2 python=$3 dir out
  dir=$(mktemp -d)
  cat >"$dir/crash.py" <<'PY'
def divide(a, b):
    ratio = a / b
    return ratio
divide(7, 0)
PY
  out=$("$run" --dump-dir="$dir/dumps" "$dir/crash.py" 2>&1)
  local rc=$?
  [ "$rc" -eq 1 ] || { echo "FAIL: $run exited $rc, not 1: $out"; return 1; }
  grep -q '^ZeroDivisionError: division by zero' <<<"$out" || { echo "FAIL: no traceback: $out"; return 1; }
  grep -q '^pyhd: dump written to ' <<<"$out" || { echo "FAIL: no dump line: $out"; return 1; }
  out=$(printf 'p a, b\nquit\n' | "$debug" "$dir"/dumps/*.dump 2>&1)
  grep -q '(7, 0)' <<<"$out" || { echo "FAIL: $debug did not show the locals: $out"; return 1; }
  out=$("$python" -c 'import pyhd; print(pyhd.__file__)' 2>&1) ||
    { echo "FAIL: $python cannot import pyhd: $out"; return 1; }
  echo "$out"
  rm -rf "$dir"
}

# copy_tree SRC DEST: the files git knows of (a clean clone's content), without build trees.
copy_tree() {
  (cd "$1" && { git ls-files -co --exclude-standard 2>/dev/null || find . -type f -not -path './build*'; } |
     tar -cf - -T -) | tar -xf - -C "$2"
}
