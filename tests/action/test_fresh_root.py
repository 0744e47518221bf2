"""`.ci/run`'s install step on a fresh Debian bookworm root, with a Node.js that bundles npm.

The root is the debootstrapped base the container test builds (scripts/build-base-image.sh)
as a buildah container. This machine's own `nodejs` package (NodeSource's, which bundles
npm and conflicts with Debian's `npm`) is carried in with dpkg-repack, with the npm it
runs, so the root has what a fresh machine of the project's kind has. Then
`.ci/install-system-packages` must install the test suite's tools without touching that
Node.js, install nothing the second time, and refuse in one line when node has no npm.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.action.conftest import ROOT
from tests.action.test_container import REQUIRED, buildah, missing_prerequisite

pytestmark = pytest.mark.container


def installed_version(package: str) -> str:
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True
    )
    return proc.stdout if proc.returncode == 0 else ""


@pytest.fixture(scope="module")
def fresh_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A container of the fresh base with the host's nodejs package and this checkout's .ci/."""
    reason = missing_prerequisite()
    if reason is None and not (REQUIRED or os.environ.get("PERF_GATE_FRESH_ROOT_TEST") == "1"):
        # Minutes of apt-get in a new root: CI (.ci/run) runs it on every submission.
        pytest.skip("fresh-root test runs in CI, or with PERF_GATE_FRESH_ROOT_TEST=1")
    node = installed_version("nodejs")
    if reason is None and (shutil.which("dpkg-repack") is None or not node):
        reason = "needs dpkg-repack and an installed nodejs package"
    if reason is not None:
        if REQUIRED:
            pytest.fail(f"fresh-root test not run: {reason} (PERF_GATE_REQUIRE_CONTAINER_TEST=1)")
        pytest.skip(f"fresh-root test not run: {reason}")
    debs = tmp_path_factory.mktemp("debs")
    subprocess.run(["dpkg-repack", "nodejs"], cwd=debs, capture_output=True, check=True)
    (deb,) = debs.glob("nodejs_*.deb")
    base = subprocess.run(
        [str(ROOT / "scripts" / "build-base-image.sh")],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    ).stdout.strip()
    proc = buildah("from", "--pull-never", base)
    assert proc.returncode == 0, proc.stderr
    name = proc.stdout.strip().splitlines()[-1]
    try:
        for source, target in ((deb, "/tmp/nodejs.deb"), (ROOT / ".ci", "/src/.ci")):
            copied = buildah("copy", name, str(source), target)
            assert copied.returncode == 0, copied.stderr
        setup = run_in(
            name,
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
            "apt-get install -y -qq /tmp/nodejs.deb >/dev/null",
        )
        assert setup.returncode == 0, setup.stdout + setup.stderr
        # The machine's npm was upgraded in place after the package was installed (as a
        # fresh machine's is at start): carry the npm it really runs, not the packaged one.
        npm = Path("/usr/lib/node_modules/npm")
        copied = buildah("copy", name, str(npm), str(npm))
        assert copied.returncode == 0, copied.stderr
        yield name, node
    finally:
        buildah("rm", name)


def run_in(container: str, script: str) -> subprocess.CompletedProcess[str]:
    return buildah(
        "run", "--isolation", "chroot", container, "--", "bash", "-c", script, timeout=900
    )


def test_the_install_step_installs_the_tools_and_keeps_the_machines_node(
    fresh_root: tuple[str, str],
) -> None:
    container, node = fresh_root
    proc = run_in(container, "bash /src/.ci/install-system-packages")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("ci: installing")]
    assert "buildah" in line and "shellcheck" in line and "chromium-driver" in line
    assert "npm" not in line.split() and "nodejs" not in line.split()
    check = run_in(
        container,
        "dpkg-query -W -f '${Version}' nodejs; echo; npm --version; "
        "command -v buildah debootstrap shellcheck dpkg-repack chromium chromedriver",
    )
    assert check.returncode == 0, check.stdout + check.stderr
    version, npm, *tools = check.stdout.split()
    assert version == node
    assert npm.split(".")[0].isdigit()
    assert [Path(t).name for t in tools] == [
        "buildah",
        "debootstrap",
        "shellcheck",
        "dpkg-repack",
        "chromium",
        "chromedriver",
    ]
    again = run_in(container, "bash /src/.ci/install-system-packages")
    assert again.returncode == 0, again.stderr
    assert "installing" not in again.stdout


def test_a_node_without_npm_is_refused_in_one_line(fresh_root: tuple[str, str]) -> None:
    container, _ = fresh_root
    proc = run_in(
        container,
        "mv /usr/bin/npm /tmp/npm.off; bash /src/.ci/install-system-packages; rc=$?; "
        "mv /tmp/npm.off /usr/bin/npm; exit $rc",
    )
    assert proc.returncode == 2
    # Only the script's line: buildah adds its own warnings on stderr around it.
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("ci:")]
    assert line.startswith("ci: node is installed") and "npm" in line
    assert "installing" not in proc.stdout
