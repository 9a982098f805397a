#!/usr/bin/env bash
# Debian packages the tests use: Suricata 7 (bookworm-backports), scapy and tcpreplay to make
# captures, openssl, iproute2/nftables for network-namespace tests, faketime for clock skew, Chromium for the console.
# Idempotent: installs only what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if [ ! -f /etc/apt/sources.list.d/bookworm-backports.sources ]; then
  cat > /etc/apt/sources.list.d/bookworm-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  updated=0
fi

need=()
command -v openssl >/dev/null || need+=(openssl)
/usr/bin/python3 -c 'import scapy' 2>/dev/null || need+=(python3-scapy)
command -v tcpreplay >/dev/null || need+=(tcpreplay)
command -v ip >/dev/null || need+=(iproute2)
command -v nft >/dev/null || need+=(nftables)
# the doctor's fault matrix runs an exchange with its clock offset (clock skew)
command -v faketime >/dev/null || need+=(faketime)
# the console's browser tests drive Debian's Chromium with playwright-core (never a downloaded browser)
[ -x /usr/bin/chromium ] || need+=(chromium)

have_suricata7() { command -v suricata >/dev/null && suricata -V 2>/dev/null | grep -qE 'version (7|8)\.'; }

if [ ${#need[@]} -gt 0 ] || ! have_suricata7; then
  apt-get update -qq
  [ ${#need[@]} -gt 0 ] && apt-get install -y -qq --no-install-recommends "${need[@]}"
  have_suricata7 || apt-get install -y -qq --no-install-recommends -t bookworm-backports suricata
fi
suricata -V
