#!/usr/bin/env bash
# Makes a local stand-in for node:20-bookworm-slim on a machine that reaches no container registry:
# a minimal Debian bookworm (debootstrap) carrying this machine's own Node 20 and npm, laid out like
# the official image (/usr/local/bin and include, user "node" with uid 1000), imported into Podman under the
# official name so that the Dockerfile's `FROM node:20-bookworm-slim` builds with --pull=never.
# Where a registry is reachable, none of this is needed: the build pulls the real image.
# Skips everything when the image already exists (CI caches it that way); --force rebuilds it.
set -euo pipefail
IMAGE="${BASE_IMAGE:-node:20-bookworm-slim}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ "${1:-}" != "--force" ] && podman image exists "$IMAGE"; then
  echo "base image $IMAGE exists (--force rebuilds it)"
  exit 0
fi
node_bin="$(command -v node)"
case "$("$node_bin" --version)" in
  v20.*) ;;
  *) echo "base-image.sh: this machine's node is $("$node_bin" --version), not 20" >&2; exit 1 ;;
esac
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"

dir="$(mktemp -d /var/tmp/node-base.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
echo "▶ debootstrap bookworm (minbase) into $dir"
debootstrap --variant=minbase bookworm "$dir" "$MIRROR" >"$dir.log" 2>&1 || {
  tail -n 20 "$dir.log" >&2
  exit 1
}
rm -f "$dir.log"

echo "▶ node $("$node_bin" --version) and npm $(npm --version) into the image"
install -m 0755 "$node_bin" "$dir/usr/local/bin/node"
mkdir -p "$dir/usr/local/lib/node_modules"
cp -a "$npm_dir" "$dir/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
# The official image carries Node's headers too: node-gyp builds native modules against them
# (npm_config_nodedir=/usr/local) instead of downloading them.
node_include="$(dirname "$(dirname "$node_bin")")/include/node"
mkdir -p "$dir/usr/local/include" && cp -a "$node_include" "$dir/usr/local/include/node"
# This machine's trust roots (a TLS-inspecting proxy may sit between it and the npm registry), which
# Node adds to its own; the official image trusts Node's built-in roots only, and needs no more.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$dir/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/"
  extra_ca=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
else
  extra_ca=()
fi
chroot "$dir" groupadd --gid 1000 node
chroot "$dir" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# What the official slim image leaves out too: apt lists, caches, docs.
rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
  "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/locale/*

echo "▶ podman import as $IMAGE"
tar -C "$dir" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_VERSION='"$("$node_bin" --version | tr -d v)" \
  --change 'CMD ["node"]' \
  "${extra_ca[@]}" \
  - "$IMAGE" >/dev/null
podman image ls "$IMAGE"
