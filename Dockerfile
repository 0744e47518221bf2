# The perf-finalizer GitHub Action (`uses: org/perf-finalizer@v1`).
#
# GitHub builds this file on the runner for every job that uses the action, then runs it
# with the workspace mounted at /github/workspace as the working directory. The default
# base is NVIDIA's smallest CUDA image, so that on a self-hosted GPU runner whose Docker
# default runtime is `nvidia` the container sees the GPU (nvidia-smi, NVML) and can
# record it as hardware evidence. Any Debian or Ubuntu image with apt and a python3 of 3.11
# or newer (Debian 12, Ubuntu 24.04 and later; 3.10 is past its end of life, and the
# locked numpy needs 3.11) works as a base:
#   docker build --build-arg BASE_IMAGE=ubuntu:24.04 .
ARG BASE_IMAGE=nvidia/cuda:12.6.3-base-ubuntu24.04
FROM ${BASE_IMAGE}

# The gate itself only reads nvidia-smi: do not refuse to start on a driver older than
# the base image's CUDA version.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONUTF8=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NVIDIA_DISABLE_REQUIRE=1

# Versions come from the base image's own release; pinning them here would tie the
# Dockerfile to one base.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates python3 python3-venv \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

# The package: scripts/install-cli.sh, the project's one install path, builds the wheel
# that `pip install .` gives (schemas and templates as package data) and installs it with
# the runtime dependencies from the lock (exact versions, hashes) into a venv. The build
# tools come from their own lock and are thrown away with the sources.
ENV PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md requirements.txt requirements-build.txt /opt/perf-gate/src/
COPY scripts/install-cli.sh /opt/perf-gate/src/scripts/
COPY perf_gate/ /opt/perf-gate/src/perf_gate/
RUN bash /opt/perf-gate/src/scripts/install-cli.sh /opt/perf-gate/venv \
    && rm -rf /opt/perf-gate/src

COPY entrypoint.py /opt/perf-gate/entrypoint.py

# No WORKDIR and no USER: the runner sets the working directory to the workspace and
# runs the container as root; entrypoint.py hands the files it writes back to the
# workspace's owner.
ENTRYPOINT ["/opt/perf-gate/venv/bin/python", "/opt/perf-gate/entrypoint.py"]
