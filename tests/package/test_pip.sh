#!/usr/bin/env bash
# test_pip.sh: `pip install --no-build-isolation .` into a fresh venv of Debian's
# python3, offline, then crash a program with the venv's pyhd-run and open its dump.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/package/common.sh"
python=${PYHD_PIP_PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import setuptools, wheel, venv, ensurepip' 2>/dev/null; then
  echo "test_pip: SKIP: $python lacks setuptools, wheel or venv (scripts/setup.sh installs them)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
copy_tree "$src" "$work/src"
"$python" -m venv --system-site-packages "$work/venv" || { echo "FAIL: venv"; exit 1; }
if ! "$work/venv/bin/pip" install --no-build-isolation --no-index "$work/src" >"$work/pip.log" 2>&1; then
  tail -n 40 "$work/pip.log"; echo "FAIL: pip install"; exit 1
fi
for f in bin/pyhd-run bin/pyhd-debug share/man/man1/pyhd-run.1 share/man/man5/pyhd-dump.5; do
  [ -e "$work/venv/$f" ] || { echo "FAIL: the venv has no $f"; exit 1; }
done
where=$(check_crash "$work/venv/bin/pyhd-run" "$work/venv/bin/pyhd-debug" "$work/venv/bin/python") ||
  { echo "$where"; exit 1; }
case $where in
  "$work"/venv/lib/*) ;;
  *) echo "FAIL: the venv's python imports pyhd from $where, not from the venv"; exit 1 ;;
esac
# The venv's pyhd-run is the venv's python: sys.prefix is the venv.
prefix=$("$work/venv/bin/pyhd-run" -c 'import sys; print(sys.prefix)')
[ "$prefix" = "$work/venv" ] || { echo "FAIL: sys.prefix under the venv's pyhd-run is $prefix"; exit 1; }
echo "test_pip: ok (pip install . into a venv of $python)"
