"""A file is read whole up to the input limit, with a buffer of its own size; its JSON is read
from its bytes exactly as from its text (BOM dropped, bad bytes replaced), without decoding
30 MB first."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from perf_gate.core import json_input, limits
from perf_gate.core.errors import InputError
from perf_gate.core.json_input import loads
from perf_gate.inputs.parsers import detect
from perf_gate.inputs.parsers.base import Sniff, read_sniff, read_sniff_if_present

BOM = b"\xef\xbb\xbf"


@pytest.fixture(autouse=True)
def orjson_from_the_first_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_input, "FAST_AFTER", 0)


FILES = [
    b'{"a": [1, 2.5]}',
    BOM + b'{"a": 1}',
    BOM + BOM + b'{"a": 1}',
    b" \t\r\n\x0b\x0c[1]",
    b"\x1c\x1d[1]",  # white space to str.lstrip, not to JSON
    "\u2003[1]".encode(),
    b'{"a": "\xff\xfe"}',  # bad bytes: U+FFFD in the text
    b'{"\xff": 1, "\xfe": 2}',  # both keys U+FFFD: a duplicate
    b'["\xed\xa0\x80"]',
    b'{"a": 1, "a": 2}',
    b"[NaN]",
    b"[1,]",
    b"not json",
    b"",
    b"\xff[1]",
]


def _old_json(sniff: Sniff) -> Any:
    """``Sniff.json`` as it read the text before."""
    if not sniff.text.lstrip().startswith(("{", "[")):
        return None
    try:
        return loads(sniff.text, str(sniff.path))
    except InputError:
        return None


def _error(read: Any) -> Any:
    try:
        return repr(read())
    except InputError as exc:
        return exc.message, exc.where


@pytest.mark.parametrize("data", FILES)
def test_a_files_json_is_read_from_its_bytes_as_from_its_text(data: bytes) -> None:
    path = Path("in.json")
    assert repr(Sniff(path, data).json) == repr(_old_json(Sniff(path, data)))
    new = _error(Sniff(path, data).json_or_error)
    assert new == _error(lambda: loads(Sniff(path, data).text, "in.json"))


def test_replaced_bytes_are_kept_as_the_text_has_them() -> None:
    sniff = Sniff(Path("in.json"), BOM + b'{"a": "x\xffy"}')
    assert sniff.json == {"a": "x\ufffdy"}
    with pytest.raises(InputError, match="duplicate key '\ufffd'"):
        Sniff(Path("in.json"), b'{"\xff": 1, "\xfe": 2}').json_or_error()


@pytest.fixture
def limit_of_100() -> Any:
    limits.configure(limits.Limits(input_bytes=100))
    yield
    limits.configure(limits.LIMITS)


@pytest.mark.parametrize("size", [0, 1, 99, 100])
def test_a_file_up_to_the_limit_is_read_whole(tmp_path: Path, size: int, limit_of_100: Any) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(bytes(range(size)))
    assert read_sniff(path).data == bytes(range(size))


@pytest.mark.parametrize("size", [101, 5000])
def test_a_file_over_the_limit_is_refused(tmp_path: Path, size: int, limit_of_100: Any) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(b"x" * size)
    with pytest.raises(InputError, match="larger than the input limit of 100 bytes"):
        read_sniff(path)


def test_a_file_that_says_it_is_empty_is_read_to_its_end() -> None:
    status = Path("/proc/self/status")  # st_size 0, a few hundred bytes
    if not status.exists():
        pytest.skip("no /proc")
    assert status.stat().st_size == 0
    data = read_sniff(status).data
    assert data.startswith(b"Name:") and data.endswith(b"\n") and len(data) > 100


def test_a_pipe_longer_than_the_limit_is_refused(tmp_path: Path, limit_of_100: Any) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), fifo.open("wb") as sink:
            sink.write(b"y" * 500)

    writer = threading.Thread(target=write)
    writer.start()
    with pytest.raises(InputError, match="larger than the input limit"):
        read_sniff(fifo)
    writer.join(timeout=5)
    assert not writer.is_alive()


def test_a_pipe_written_in_pieces_is_read_whole(tmp_path: Path, limit_of_100: Any) -> None:
    """A read of a pipe answers with what has been written so far: the reader reads on to
    the end, not the first piece only."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("wb", buffering=0) as sink:
            for piece in range(10):
                sink.write(bytes([65 + piece]) * 5)
                time.sleep(0.01)

    writer = threading.Thread(target=write)
    writer.start()
    data = read_sniff(fifo).data
    writer.join(timeout=5)
    assert data == b"".join(bytes([65 + piece]) * 5 for piece in range(10))


def test_an_optional_file_that_is_not_there_is_none_and_one_that_is_is_read(
    tmp_path: Path,
) -> None:
    (tmp_path / "here.json").write_bytes(b"[1]")
    (tmp_path / "plain").write_bytes(b"a file, not a folder")
    assert read_sniff_if_present(tmp_path / "missing.json") is None
    assert read_sniff_if_present(str(tmp_path / "plain" / "x.json")) is None  # not a folder
    found = read_sniff_if_present(str(tmp_path / "here.json"))
    assert found is not None and found.path == tmp_path / "here.json" and found.json == [1]


def test_an_optional_file_that_is_a_folder_or_unreadable_is_still_an_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(InputError, match="is a directory"):
        read_sniff_if_present(tmp_path / "folder.json")
    (tmp_path / "plain").write_bytes(b"")
    with pytest.raises(InputError, match="cannot read: Not a directory"):
        read_sniff(tmp_path / "plain" / "x.json")  # required: named, not skipped


POSITIVE = Path(__file__).resolve().parents[2] / "fixtures" / "formats" / "positive"


def test_detecting_a_json_file_never_decodes_its_text() -> None:
    """Its text would be a second copy of a 30 MB file, made only to search it for an HTML
    title (cargo --timings), which a JSON document is not."""
    sniffs = [read_sniff(p) for p in sorted(POSITIVE.rglob("*")) if p.is_file()]
    documents = [s for s in sniffs if s.json is not None]
    assert len(documents) > 15
    for sniff in documents:
        parser = detect(sniff)
        assert parser is not None and "text" not in vars(sniff), (sniff.path, parser)


def test_a_json_file_holding_the_cargo_timings_markers_is_not_a_cargo_report() -> None:
    data = b'{"benchmarks": [], "x": "summary-table const UNIT_DATA <title>Cargo Build Timings"}'
    parser = detect(Sniff(Path("bench.json"), data))
    assert parser is None or parser.name != "cargo-timings"


@pytest.mark.parametrize(
    "text",
    [
        "target/criterion/g/b/new/sample.json",
        "/abs/target/criterion/g/b/new/sample.json",
        "results.json",
        "./results.json",
        "a//b.json",
        "//host/share.json",
        "a/./b.json",
        "a/b/",
        "a/b/.",
        "a/../b.json",
        ".",
        "",
        "/",
    ],
)
def test_a_file_read_by_its_path_string_is_shown_as_its_path_writes_it(text: str) -> None:
    """A Sniff made from a string makes no Path until asked: what it shows in messages and
    the receipt is still ``str(Path(text))``, normalised or not."""
    sniff = Sniff(text, b"{}")
    assert sniff.shown == str(Path(text)) == str(sniff.path)
    assert sniff.input_file("fmt").path == str(Path(text))
