#!/usr/bin/env bash
# setup.sh: install what building and testing pyhd needs on Debian (bookworm or later).
# Installs only what is missing; uses sudo when not root.
set -euo pipefail
packages=(cmake gcc make pkg-config python3 python3-dev python3-venv zlib1g-dev
          libarchive-dev libcmocka-dev tar mandoc groff-base
          python3-setuptools python3-wheel python3-pip
          dpkg-dev debhelper dh-python fakeroot lintian)
# For the tests of the integrations: the DAP client runs on node (its npm
# package is installed by tests/e2e/test_dap.py), the HTML report is loaded in
# chromium, the pytest plugin runs under Debian's pytest and pytest-xdist.
packages+=(chromium python3-pytest python3-pytest-xdist)
# node and npm often come from elsewhere than Debian (nodesource, nvm), and
# Debian's npm conflicts with those: install them only when the command is missing.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# Real libraries and debuggers the tests run against (numpy arrays, Flask's
# logging, ipdb and pudb through tmux), and clang with its fuzzer runtime for
# the 60-second run of the dump reader under libFuzzer.
packages+=(python3-numpy python3-flask python3-django python3-ipdb python3-pudb tmux
           clang libclang-rt-14-dev binutils)
# The libraries whose own reprs tests/e2e/fidelity/library_reprs.py prints
# (the test is skipped, with a line, where one is missing).
packages+=(python3-requests python3-urllib3 python3-dateutil python3-tz python3-yaml
           python3-packaging python3-click python3-jinja2 python3-markupsafe)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
