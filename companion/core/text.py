"""People's text made one line without losing French typography."""

from __future__ import annotations

import re

#: Any run of white space but the no-break spaces (U+00A0, U+202F) that bind French « : ? ! »
#: to the word before: str.split() takes those for plain spaces, and a line then breaks there.
_BREAKABLE_SPACES = re.compile(r"[^\S\u00a0\u202f]+")


def one_line(text: str) -> str:
    """``text`` on one line: each run of spaces and line breaks one space, no-break spaces kept."""
    return _BREAKABLE_SPACES.sub(" ", text).strip()
