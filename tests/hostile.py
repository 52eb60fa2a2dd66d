"""Hostile spreadsheets, built on the fly (never committed): for the import tests and bench/xlsx_refusal.py."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"


def workbook_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(list(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, *, sheet_tail: bytes = b"", extra: tuple[str, bytes] | None = None) -> bytes:
    """The workbook with ``sheet_tail`` appended inside its sheetData, and one more archive member."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == SHEET and sheet_tail:
                content = content.replace(b"</sheetData>", sheet_tail + b"</sheetData>")
            target.writestr(info.filename, content)
        if extra is not None:
            target.writestr(*extra)
    return buffer.getvalue()


def blank_rows_xlsx(rows: Sequence[Sequence[object]], blank_rows: int) -> bytes:
    """The workbook of ``rows`` followed by ``blank_rows`` empty ``<row/>`` elements: 6.6 million fit in 200 KB."""
    return _rewrite(workbook_bytes(rows), sheet_tail=b"<row/>" * blank_rows)


def zip_bomb_xlsx(rows: Sequence[Sequence[object]], unpacked_bytes: int) -> bytes:
    """A valid workbook carrying one more member of ``unpacked_bytes`` zeros, honestly declared (≈ 1,000:1)."""
    return _rewrite(workbook_bytes(rows), extra=("xl/media/image1.bin", bytes(unpacked_bytes)))


def understated(data: bytes, member: str, declared: int) -> bytes:
    """The archive with ``member``'s uncompressed size forged to ``declared`` in both of its headers."""
    forged = bytearray(data)
    name = member.encode()
    # (signature, header length before the name, offset of the uncompressed size)
    for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        start = forged.find(signature)
        while start != -1:
            if forged[start + name_at : start + name_at + len(name)] == name:
                forged[start + size_at : start + size_at + 4] = declared.to_bytes(4, "little")
            start = forged.find(signature, start + 4)
    return bytes(forged)
