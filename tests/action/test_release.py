"""The release workflow tags the image as users write it: `docker://ghcr.io/<owner>/perf-finalizer:v1`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.action.conftest import ROOT, parse_github_output

RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def test_a_version_tag_pushes_the_full_and_the_major_tag(tmp_path: Path) -> None:
    workflow = yaml.safe_load(RELEASE.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["image"]["steps"]
    (tags,) = [s for s in steps if s.get("id") == "tags"]
    output = tmp_path / "output"
    output.touch()
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", tags["run"]],
        env={"VERSION": "v1.2.3", "OWNER": "BitNet-Org", "GITHUB_OUTPUT": str(output)},
        check=True,
    )
    assert parse_github_output(output.read_text())["tags"].split("\n") == [
        "ghcr.io/bitnet-org/perf-finalizer:v1.2.3",
        "ghcr.io/bitnet-org/perf-finalizer:v1",
    ]
    (push,) = [s for s in steps if s.get("uses", "").startswith("docker/build-push-action@")]
    assert push["with"]["push"] is True
    assert push["with"]["tags"] == "${{ steps.tags.outputs.tags }}"
    assert workflow["jobs"]["image"]["permissions"]["packages"] == "write"
    # A user's `uses: org/perf-finalizer@v1` keeps building the Dockerfile: no registry needed.
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["image"] == "Dockerfile"
