"""Markdown escaping for text that came from users' benchmark names."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


class Raw(str):
    """Text the templates emit as is (already Markdown)."""

    __slots__ = ()


def escape(text: object) -> str:
    """Make ``text`` inert in Markdown and GitHub: no table breaks, no HTML, no @mentions."""
    if isinstance(text, Raw):
        return str(text)
    if text is None:
        return ""
    out = " ".join(str(text).splitlines())
    out = _SPECIAL.sub(r"\\\1", out)
    # A zero-width space after @ keeps GitHub from turning names into mentions.
    return out.replace("@", "@\u200b")
