#!/usr/bin/env bash
# Build the action's Dockerfile with buildah, FROM the local base image, without Docker.
#
#   scripts/build-action-image.sh [TAG]     (default localhost/perf-gate-action:test)
#
# The base image comes from scripts/build-base-image.sh (cached). apt-get and pip in the
# build reach the network directly; the host's CA bundle and a pip.conf naming it are
# mounted into the RUN steps only (-v), so a TLS-intercepting proxy that the host trusts
# is trusted there too, and nothing of it ends up in the image. Layers are cached in the
# same private store (scripts/container-store.sh), so a rebuild after a code change
# only redoes the final COPY.
# Prints the tag on stdout. Needs root and buildah.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TAG="${1:-localhost/perf-gate-action:test}"
# shellcheck source=scripts/container-store.sh
source "$ROOT/scripts/container-store.sh"
CA=/etc/ssl/certs/ca-certificates.crt

base="$("$ROOT/scripts/build-base-image.sh")"

mounts=()
if [[ -s "$CA" ]]; then
    printf '[global]\ncert = %s\n' "$CA" >"$CACHE/pip.conf"
    mounts=(-v "$CA:$CA:ro" -v "$CACHE/pip.conf:/etc/pip.conf:ro")
fi

exec 9>"$CACHE/.build-lock"
flock 9
echo "build-action-image: building $TAG from $base" >&2
buildah "${STORE[@]}" bud --isolation chroot --layers "${mounts[@]}" \
    --build-arg "BASE_IMAGE=$base" -t "$TAG" -f "$ROOT/Dockerfile" "$ROOT" >&2
buildah "${STORE[@]}" rmi --prune >/dev/null 2>&1 || true
echo "$TAG"
