#!/usr/bin/env bash
# Installs what gantry and its test suite need on Debian 12 (as root), then the npm dependencies,
# then builds. Idempotent: a second run only checks.
#   scripts/setup.sh          the runtime needs (runc, overlayfs tools, mmdebstrap, busybox-static, procps for `top`)
#   scripts/setup.sh --peers  also the peers the interop tests and benchmarks run against
set -euo pipefail
cd "$(dirname "$0")/.."

want=(runc crun mmdebstrap busybox-static ca-certificates pigz procps)
if [ "${1:-}" = "--peers" ]; then
  want+=(buildah podman skopeo umoci docker-registry apache2-utils openssl curl uidmap conmon
         slirp4netns containernetworking-plugins catatonit fuse-overlayfs hyperfine docker.io iproute2 time)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x node_modules/.bin/esbuild ] || ! node -e "require('better-sqlite3')" 2>/dev/null; then
  echo "== npm ci" >&2
  npm ci --no-audit --no-fund
fi
if [ ! -f build/Release/gantry_sys.node ] || [ native/gantry_sys.c -nt build/Release/gantry_sys.node ]; then
  echo "== native addon (node-gyp)" >&2
  npm run -s build:native >/dev/null
fi
echo "== build" >&2
npm run -s build
