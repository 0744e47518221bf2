#!/usr/bin/env bash
# Build (once) and import a local stand-in for the action's CUDA base image.
#
# No Docker engine or registry is reachable here, so the container test builds the real
# Dockerfile FROM a Debian bookworm minbase rootfs made with debootstrap (python3 included,
# the same apt/python layout as the default nvidia/cuda:*-base-ubuntu24.04 image).
#
# Cached in $PERF_GATE_CONTAINER_CACHE (default /var/cache/perf-gate): the rootfs tarball survives
# between runs, and the imported image lives in a private buildah store under the same
# folder (scripts/container-store.sh), so a rerun finishes in a second. Prints the
# image name on stdout.
#
# Needs root, debootstrap and buildah (apt-get install debootstrap buildah).
set -euo pipefail

# shellcheck source=scripts/container-store.sh
source "$(dirname "${BASH_SOURCE[0]}")/container-store.sh"
SUITE="${PERF_GATE_BASE_SUITE:-bookworm}"
MIRROR="${PERF_GATE_BASE_MIRROR:-http://deb.debian.org/debian}"
IMAGE="localhost/perf-gate-base:${SUITE}"
TARBALL="$CACHE/base-${SUITE}.tar"

log() { echo "build-base-image: $*" >&2; }

exec 9>"$CACHE/.lock"
flock 9

if buildah "${STORE[@]}" inspect --type image "$IMAGE" >/dev/null 2>&1; then
    log "cached image $IMAGE"
    echo "$IMAGE"
    exit 0
fi

if [[ ! -s "$TARBALL" ]]; then
    rootfs="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
    trap 'rm -rf "$rootfs"' EXIT
    log "debootstrap $SUITE into $rootfs (a few minutes, once)"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        "$SUITE" "$rootfs" "$MIRROR" >&2
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar --numeric-owner -C "$rootfs" -cf "$TARBALL.part" .
    mv "$TARBALL.part" "$TARBALL"
    rm -rf "$rootfs"
    trap - EXIT
fi

log "importing $TARBALL as $IMAGE"
ctr="$(buildah "${STORE[@]}" from scratch)"
buildah "${STORE[@]}" add "$ctr" "$TARBALL" / >&2
buildah "${STORE[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd /bin/bash "$ctr"
buildah "${STORE[@]}" commit --rm "$ctr" "$IMAGE" >&2
echo "$IMAGE"
