#!/usr/bin/env bash
# Installs the Debian packages the tests need; with --bench, also the peers the benchmarks
# measure against. Idempotent: packages already present are skipped, so a second run does no
# network work.
set -euo pipefail
packages=(
  kcat                    # librdkafka 2.0.2 command line client (compatibility tests)
  python3-confluent-kafka # librdkafka from Python (compatibility tests)
  python3-kafka           # kafka-python 2.0.2 (compatibility tests)
  python3-snappy python3-lz4 python3-zstandard  # kafka-python's compression codecs
  zookeeper               # cluster metadata (cluster tests)
  mariadb-server          # CDC tests
  redis-server            # crawler frontier tests
  chromium                # tracker and crawler browser tests
  openssl                 # certificates for the broker TLS tests
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(
    python3-scrapy        # the crawler benchmark's peer (Scrapy)
    nginx                 # the tracking benchmark's peer
    nats-server redis-server  # the broker benchmark's peers
  )
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
