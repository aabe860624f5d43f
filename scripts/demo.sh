#!/usr/bin/env bash
# The README's first Quick-start command (`npm run demo`): set up a fresh Debian 12 machine as root,
# make a Debian base image from the apt mirror (no registry needed), build the multi-stage example
# examples/hello-c and run the result.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
gantry=./bin/gantry
if ! $gantry image inspect debian:bookworm >/dev/null 2>&1; then
  echo "== gantry image bootstrap debian:bookworm (mmdebstrap from the apt mirror)" >&2
  $gantry image bootstrap debian:bookworm
fi
echo "== gantry build -t hello-c examples/hello-c" >&2
$gantry build --network host -t hello-c examples/hello-c
echo "== gantry run --rm hello-c" >&2
$gantry run --rm hello-c
$gantry image ls hello-c
