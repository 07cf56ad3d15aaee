#!/usr/bin/env bash
# test_deb.sh: build the Debian package from a copy of the tree (dpkg-buildpackage),
# check it with lintian (no errors), install it (as root only, and only when no pyhd
# package is installed already), crash a program with /usr/bin/pyhd-run, remove it.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/package/common.sh"
for tool in dpkg-buildpackage dh lintian fakeroot; do
  command -v "$tool" >/dev/null || { echo "test_deb: SKIP: $tool missing (scripts/setup.sh installs it)"; exit 0; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/pyhd"
copy_tree "$src" "$work/pyhd"
if ! (cd "$work/pyhd" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log"; echo "FAIL: dpkg-buildpackage"; exit 1
fi
deb=$(ls "$work"/pyhd_*.deb)
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/pyhd-run ./usr/bin/pyhd-debug ./usr/share/man/man1/pyhd-debug.1.gz \
         ./usr/share/man/man5/pyhd-dump.5.gz; do
  grep -q " $f\$" <<<"$contents" || { echo "FAIL: the package has no $f"; exit 1; }
done
grep -qE ' \./usr/lib/python3/dist-packages/pyhd\.cpython-[^ ]*\.so$' <<<"$contents" ||
  { echo "FAIL: the package has no pyhd module in /usr/lib/python3/dist-packages"; exit 1; }
lint=$(lintian --allow-root "$deb" 2>&1)
if grep -q '^E: ' <<<"$lint"; then echo "$lint"; echo "FAIL: lintian errors"; exit 1; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test_deb: package built and lintian-clean; install step SKIPPED (needs root)"
  exit 0
fi
if dpkg-query -W -f='${Status}' pyhd 2>/dev/null | grep -q 'install ok installed'; then
  echo "test_deb: package built and lintian-clean; install step SKIPPED (a pyhd package is installed)"
  exit 0
fi
dpkg -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; echo "FAIL: dpkg -i"; exit 1; }
where=$(check_crash /usr/bin/pyhd-run /usr/bin/pyhd-debug /usr/bin/python3)
rc=$?
dpkg -r pyhd >/dev/null 2>&1 || { echo "FAIL: dpkg -r pyhd"; exit 1; }
[ "$rc" -eq 0 ] || { echo "$where"; exit 1; }
[ "$where" = "/usr/lib/python3/dist-packages/$(basename "$where")" ] ||
  { echo "FAIL: python3 imports pyhd from $where"; exit 1; }
echo "test_deb: ok (built, lintian-clean, installed, crashed a program, removed)"
