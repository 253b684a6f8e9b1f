"""A one-sheet .xlsx written as a stream: the roster's result sheet (issue 12 item 1).

openpyxl's write-only mode spends ~50 µs a row building XML elements; a 100,000-row result sheet took
longer than the whole import is allowed (32 s against the 10 s of ≥ 10,000 rows/s). This writer emits the
sheet's XML directly into a deflated zip member: inline strings (no shared-string table to hold in
memory), numbers, booleans, and dates/times as serial numbers with a date style — what openpyxl,
calamine, Excel and WPS read back as the same values. Cells are made formula-safe by the caller
(dte.privacy.spreadsheet.safe_row); characters XML 1.0 cannot carry are dropped.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# what keeps a row's texts (joined by newlines) off the fast path: a character to escape or to drop
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>]")
EPOCH = datetime(1899, 12, 30)
DATETIME_STYLE, TIME_STYLE = 1, 2  # positions in cellXfs below

CONTENT_TYPES = (
    f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
ROOT_RELS = (f'{HEAD}<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
             'Target="xl/workbook.xml"/></Relationships>')
BOOK_RELS = (f'{HEAD}<Relationships xmlns="{PKG}">'
             f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
             f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/></Relationships>')
STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd h:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="h:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _book(sheet_name: str) -> str:
    return (f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            f'<sheet name="{escape(sheet_name, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/></sheets></workbook>')


class StreamingXlsx:
    """append(row) then close(); `target` is a seekable binary file."""

    def __init__(self, target, sheet_name: str = "Sheet1"):
        self.zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.zip.writestr("[Content_Types].xml", CONTENT_TYPES)
        self.zip.writestr("_rels/.rels", ROOT_RELS)
        self.zip.writestr("xl/workbook.xml", _book(sheet_name))
        self.zip.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        self.zip.writestr("xl/styles.xml", STYLES)
        self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.sheet.write(f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
        self.number = 0
        self.letters: list[str] = []
        self.buffer: list[str] = []

    def _letter(self, column: int) -> str:
        while len(self.letters) <= column:
            self.letters.append(get_column_letter(len(self.letters) + 1))
        return self.letters[column]

    def append(self, row) -> None:
        self.number += 1
        n = self.number
        if len(self.letters) < len(row):
            self._letter(len(row) - 1)
        letters = self.letters
        try:
            texts = "\n".join(row)
        except TypeError:  # not all text
            texts = "\n".join([value for value in row if isinstance(value, str)])
        if UNSAFE.search(texts):
            cells = [self._cell(f"{letters[column]}{n}", value)
                     for column, value in enumerate(row) if value is not None and value != ""]
        else:  # the common case (issue 12 item 1): one search over the row's texts found nothing to escape or
            # drop, so texts go in as they are, each marked xml:space="preserve" rather than its ends tested
            # for whitespace (the mark changes nothing for a text without whitespace at its ends)
            cells = [f'<c r="{letters[column]}{n}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
                     if type(value) is str else self._cell(f"{letters[column]}{n}", value)
                     for column, value in enumerate(row) if value is not None and value != ""]
        # as openpyxl: an empty text is no cell
        self.buffer.append(f'<row r="{n}">{"".join(cells)}</row>')
        if len(self.buffer) >= 1000:
            self._flush()

    @staticmethod
    def _cell(ref: str, value) -> str:
        if type(value) is str and not ILLEGAL.search(value):
            text = escape(value)
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
            return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"><v>{value!r}</v></c>'
        if isinstance(value, (datetime, date)):
            moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
            serial = (moment.replace(tzinfo=None) - EPOCH).total_seconds() / 86400
            return f'<c r="{ref}" s="{DATETIME_STYLE}"><v>{serial!r}</v></c>'
        if isinstance(value, time):
            serial = (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
            return f'<c r="{ref}" s="{TIME_STYLE}"><v>{serial!r}</v></c>'
        text = escape(ILLEGAL.sub("", str(value)))
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'

    def _flush(self) -> None:
        self.sheet.write("".join(self.buffer).encode("utf-8"))
        self.buffer = []

    def close(self) -> None:
        self._flush()
        self.sheet.write(b"</sheetData></worksheet>")
        self.sheet.close()
        self.zip.close()
