#!/usr/bin/env bash
# The Debian packages `make test` needs beyond what `make setup` installs from
# PyPI: the one list, used by `make test` (make system-packages) and .ci/run.
#   rsyslog rsyslog-relp rsyslog-gnutls rsyslog-openssl  the real collector the interop tests start on
#                               127.0.0.1 with their own config (the system's syslog is never used)
#   chromium fonts-dejavu-core  renders the HTML review page headless in a test
#   qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi  the emulated Cortex-M board
#   gcc libssl-dev python3-dev  the verifier's C loops (host_tools/build_fastverify.py)
# As root, installs what is missing (apt-get); otherwise stops at once and
# prints the one command to run.
set -euo pipefail
PACKAGES=(rsyslog rsyslog-relp rsyslog-gnutls rsyslog-openssl chromium fonts-dejavu-core
          qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi gcc libssl-dev python3-dev)

if ! command -v dpkg-query >/dev/null; then
  echo "make test: not a Debian system; install the equivalents of: ${PACKAGES[*]}" >&2
  exit 1
fi
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "make test needs Debian packages that are missing; run:" >&2
  echo "  sudo sh -c '$command'" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
