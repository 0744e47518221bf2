"""GitHub Actions workflow commands (``::warning::``, ``::group::``), escaped the one way.

Untrusted text (benchmark names, harness messages) inside a message or a property
cannot end the command or start another: ``%``, CR and LF are percent-encoded, and
``:`` and ``,`` too in property values. Untrusted text printed as plain lines goes
through :func:`neutral`: no line of it can be a command, and no ANSI escape survives.
"""

from __future__ import annotations

import re

from perf_gate.core.secrets import redact


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``::error::<message>``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (``title=<value>``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str) -> str:
    """One workflow command line: ``::name key=value,key=value::message``."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")
# C0 controls but TAB, DEL and C1 controls: ESC starts ANSI sequences, 0x9b is a one-byte CSI
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f]")
_COMMAND_START = ("::", "##[")
QUOTE_MARK = "[quoted] "


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def neutral_line(line: str) -> str:
    """One line of untrusted text as the job log may show it: control characters (ANSI
    escapes included) written out as ``\\x1b``, and a line that would start a workflow
    command (``::``, ``##[``, after leading blanks) quoted so the runner does not run it."""
    line = _CONTROL.sub(_visible, line)
    if line.lstrip().startswith(_COMMAND_START):
        return QUOTE_MARK + line
    return line


def neutral(text: str) -> str:
    """Untrusted text of any number of lines, each line made :func:`neutral_line`."""
    return "\n".join(neutral_line(line) for line in _LINE_BREAK.split(text))


def say(text: str) -> None:
    """Print a line (or lines) that carry untrusted text to stdout: neutral and redacted."""
    print(neutral(redact(text)), flush=True)
