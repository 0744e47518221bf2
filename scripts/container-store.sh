#!/usr/bin/env bash
# Where buildah keeps the action's images: sourced by build-base-image.sh and
# build-action-image.sh (sets CACHE and STORE); run directly, prints the buildah
# storage options one per line (tests/action/test_container.py reads them).
#
# A private store under $PERF_GATE_CONTAINER_CACHE (default /var/cache/perf-gate), so
# the machine's own containers are never touched and the cache survives between runs.
# Driver: $PERF_GATE_CONTAINER_DRIVER, or overlay where the kernel has it and the cache
# is not itself on overlayfs (a build then takes seconds), vfs otherwise (always works,
# copies every layer: about a minute more).
CACHE="${PERF_GATE_CONTAINER_CACHE:-/var/cache/perf-gate}"
mkdir -p "$CACHE"
if [[ -z "${PERF_GATE_CONTAINER_DRIVER:-}" ]]; then
    PERF_GATE_CONTAINER_DRIVER=vfs
    if grep -qw overlay /proc/filesystems 2>/dev/null \
        && [[ "$(stat -f -c %T "$CACHE")" != overlayfs ]]; then
        PERF_GATE_CONTAINER_DRIVER=overlay
    fi
fi
STORE=(--storage-driver "$PERF_GATE_CONTAINER_DRIVER"
    --root "$CACHE/storage-$PERF_GATE_CONTAINER_DRIVER"
    --runroot "$CACHE/run-$PERF_GATE_CONTAINER_DRIVER")

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    printf '%s\n' "${STORE[@]}"
fi
