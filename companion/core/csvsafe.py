"""One guard for every CSV cell that holds what a person typed (CSV/formula injection), and
the separator a spreadsheet in the reader's language expects.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or line break
before one) as a formula: ``=cmd|'/C calc'!A0@example.org`` is a valid e-mail address *and* a
formula. Such a cell gets a leading apostrophe, which spreadsheets show as text and hide.
"""

from __future__ import annotations

from typing import Any

# The ASCII starters (OWASP's list) and their full-width forms, which some spreadsheets also
# read as operators.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> Any:
    """Return ``value`` safe to write in a CSV cell: text never starts a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    """Apply :func:`csv_cell` to every cell of a row."""
    return [csv_cell(value) for value in values]


def delimiter(language: str) -> str:
    """The column separator for a CSV read in ``language``: French spreadsheets (Excel, with
    the comma as their decimal mark) split rows on semicolons and put a comma-separated row in
    one column."""
    return ";" if language == "fr" else ","
