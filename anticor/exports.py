"""What every export shares: the content types, and text a spreadsheet would evaluate shown as text."""

from __future__ import annotations

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel and LibreOffice treat a cell starting with one of these as a formula (CSV/Excel formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    """Text that a spreadsheet would evaluate gets a leading apostrophe, so it is shown, never run."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value
