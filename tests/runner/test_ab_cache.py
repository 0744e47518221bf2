"""The base build cache keeps one key and touches nothing else in its folder."""

from __future__ import annotations

from pathlib import Path

from perf_gate.inputs.ab_proof import keep, restore


def test_keep_replaces_the_old_key_only_and_drops_the_results(tmp_path: Path) -> None:
    tree = tmp_path / "base"
    (tree / "target" / "release").mkdir(parents=True)
    (tree / "target" / "release" / "work").write_text("exe")
    (tree / "target" / "criterion" / "hash_loop").mkdir(parents=True)
    folder = tmp_path / "cache"
    (folder / "0123456789abcdef" / "target").mkdir(parents=True)  # an earlier key
    (folder / "src").mkdir()  # a folder of the user's, e.g. with `cache: .`
    new = folder / "fedcba9876543210"
    keep(new, tree, [tree / "target" / "criterion"])
    assert sorted(p.name for p in folder.iterdir()) == ["fedcba9876543210", "src"]
    assert (new / "target" / "release" / "work").read_text() == "exe"
    assert not (new / "target" / "criterion").exists()
    assert not (tree / "target").exists()
    assert restore(new, tree) and (tree / "target" / "release" / "work").is_file()
    assert not restore(new, tree)  # nothing kept any more
