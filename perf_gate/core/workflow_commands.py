"""GitHub Actions workflow commands (``::warning::``, ``::group::``), escaped the one way.

Untrusted text (benchmark names, harness messages) inside a message or a property
cannot end the command or start another: ``%``, CR and LF are percent-encoded, and
``:`` and ``,`` too in property values.
"""

from __future__ import annotations


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
