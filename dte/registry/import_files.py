"""Roster files: reading an upload safely and writing/serving the result sheet.

Reading enforces the limits before and while parsing (DTE_UPLOAD_MAX_BYTES, DTE_IMPORT_MAX_ROWS): an
.xlsx is a zip, so its directory is checked first (declared uncompressed sizes and compression ratio, a
"zip bomb" is refused without inflating it) and the first sheet's rows are counted by streaming its XML
before anything parses the sheet (python-calamine up to CALAMINE_MAX_ROWS rows, openpyxl streaming above). A .csv's encoding is detected by a strict decode (UTF-8 with or without
BOM, then GB18030, which covers GBK/GB2312, what Excel on a Chinese Windows writes); anything else is
refused with a message. The result sheet served to a user masks ID and mobile numbers unless the user is
entitled (dte.privacy.services.may_unmask and in scope), and an entitled full download is audited like
every other reveal (个人信息保护法 第五十一条; 数据安全法 第二十七条).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import zipfile
import zlib
from datetime import date, datetime
from xml.etree import ElementTree

from django.conf import settings
from django.core.files import File
from openpyxl import load_workbook

from dte.audit.services import audit_record
from dte.organisations.scoping import can_access
from dte.privacy.services import may_unmask, personal_data_masked
from dte.privacy.spreadsheet import FORMULA_STARTS, safe_row

from .errors import RegistryError
from .xlsx_stream import StreamingXlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ZIP_RATIO = 100  # deflate of real spreadsheets stays far below this; bombs are at 1000:1 and more
RATIO_FLOOR = 1024 * 1024  # entries smaller than this are never a threat
BYTES_PER_ROW = 2048  # generous upper bound of a roster row's XML, with shared strings
READ = 1024 * 1024
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
ROW_ENDS = (b"<row ", b"<row>", b"<row/", b"<row\t", b"<row\n", b"<row\r", b"<row\x0b", b"<row\x0c")  # \s > /


def _row_tags(data: bytes) -> int:
    """How many times ROW_TAG occurs in data: without a prefixed tag (":row"), bytes.count scans — two when
    every "<row" is followed by a space — several times faster than the expression (issue 12 item 1);
    with one, the expression."""
    if b":row" in data:
        return len(ROW_TAG.findall(data))
    tags = data.count(b"<row")
    spaced = data.count(b"<row ")  # what Excel, WPS and openpyxl write: <row r="1" …>
    if tags == spaced:
        return tags
    return sum(data.count(end) for end in ROW_ENDS)
ENCODING_REFUSED = ("无法识别文件编码：请在 Excel 中“另存为”CSV UTF-8（逗号分隔）或 GBK 编码的 CSV，"
                    "或直接上传 .xlsx 文件。")
MASKED_COLUMNS = {1: "id_number", 2: "phone"}  # positions in imports.COLUMNS
# a text starting with what dte.privacy.spreadsheet.excel_safe neutralises, in texts joined by newlines: the
# first text by startswith, the others by this (a newline inside a text can only add a match, and a match
# sends the row through safe_row, which decides)
FORMULA_AFTER_NEWLINE = re.compile("\n[" + re.escape("".join(FORMULA_STARTS)) + "]")


def max_rows() -> int:
    return settings.DTE_IMPORT_MAX_ROWS


def too_many_rows() -> RegistryError:
    return RegistryError(f"名单行数超过上限 {max_rows()} 行，请拆分后分批导入。", code="TOO_MANY_ROWS")


def upload_too_large() -> RegistryError:
    limit = settings.DTE_UPLOAD_MAX_BYTES
    return RegistryError(f"文件超过上传上限 {limit // (1024 * 1024)} MB，请拆分后分批上传。", code="TOO_LARGE")


# --- encodings ------------------------------------------------------------------------------------------


def detect_encoding(handle) -> str:
    """'utf-8-sig' or 'gb18030' after a strict streaming decode of the whole file; refuses anything else."""
    start = handle.read(4)
    handle.seek(0)
    if start.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise RegistryError(ENCODING_REFUSED, code="BAD_ENCODING")
    else:
        candidates = ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            for chunk in iter(lambda: handle.read(READ), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            handle.seek(0)
            continue
        handle.seek(0)
        return encoding
    raise RegistryError(ENCODING_REFUSED, code="BAD_ENCODING")


# --- xlsx checks --------------------------------------------------------------------------------------------


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The part name of the workbook's first sheet (the one the import reads)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rid = book.find("m:sheets/m:sheet", ns).get(f"{{{ns['r']}}}id")
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels.findall("p:Relationship", ns) if r.get("Id") == rid)
    except (KeyError, AttributeError, StopIteration, ElementTree.ParseError):
        raise RegistryError("文件不是有效的 .xlsx 工作簿（无法找到工作表）。", code="BAD_FILE") from None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def xlsx_precheck(handle) -> int:
    """Refuse a zip bomb from the directory alone, then count the first sheet's rows by streaming its XML;
    returns the number of data rows (header excluded). Memory stays at one read buffer."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RegistryError("文件不是有效的 .xlsx 工作簿（文件已损坏或不是 Excel 文件）。", code="BAD_FILE") from None
    limit_rows = max_rows()
    expanded_limit = (limit_rows + 1) * BYTES_PER_ROW + 16 * 1024 * 1024
    small_parts = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (info.file_size > RATIO_FLOOR and ratio > MAX_ZIP_RATIO) or total > expanded_limit \
                or (info.filename in small_parts and info.file_size > 4 * 1024 * 1024):
            raise RegistryError("文件解压后体积异常（疑似压缩炸弹），已拒绝。请使用下载的模板重新填写。", code="ZIP_BOMB")
    sheet = _first_sheet(archive)
    rows, tail = 0, b""
    try:
        with archive.open(sheet) as stream:
            for chunk in iter(lambda: stream.read(READ), b""):
                data = tail + chunk
                rows += _row_tags(data)
                tail = data[-16:]
                rows -= _row_tags(tail)  # counted again with the next chunk
                if rows - 1 > limit_rows:
                    raise too_many_rows()
            rows += _row_tags(tail)
    except KeyError:
        raise RegistryError("文件不是有效的 .xlsx 工作簿（缺少工作表）。", code="BAD_FILE") from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        raise RegistryError("文件不是有效的 .xlsx 工作簿（文件已损坏）。", code="BAD_FILE") from None
    handle.seek(0)
    return max(rows - 1, 0)


# --- reading ------------------------------------------------------------------------------------------------


def _counted(rows, limit: int):
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise too_many_rows()
        yield row


def read_rows(handle, filename: str, check_header) -> tuple[int | None, object]:
    """(row count, iterator over data rows as lists of cell values); refuses what cannot be read."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        text = io.TextIOWrapper(handle, encoding=detect_encoding(handle), newline="")
        reader = csv.reader(text)
        try:
            header = next(reader, None)
        except csv.Error:
            raise RegistryError("CSV 文件格式错误，无法读取表头。", code="BAD_FILE") from None
        check_header(header)
        return None, _counted((list(r) for r in reader), max_rows())
    if not lower.endswith(".xlsx"):
        raise RegistryError("只接受 .xlsx 或 .csv 文件。", code="BAD_FILE")
    total = xlsx_precheck(handle)
    handle.seek(0)
    try:
        rows = sheet_rows(handle, total)
        header = next(rows, None)
    except RegistryError:
        raise
    except Exception:
        raise RegistryError("文件不是有效的 .xlsx 工作簿（无法解析）。", code="BAD_FILE") from None
    check_header(header)
    return total, _counted(rows, max_rows())


def sheet_rows(handle, total: int):
    """The first sheet's rows as lists, for a sheet of `total` rows: python-calamine up to CALAMINE_MAX_ROWS (fast,
    whole sheet in memory), openpyxl's read-only mode above (flat memory; its workbook closed when the rows end or
    the generator is closed)."""
    if total <= CALAMINE_MAX_ROWS:
        yield from calamine_rows(handle)
        return
    book = load_workbook(handle, read_only=True, data_only=True)
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()  # a read-only workbook keeps its archive open


# python-calamine (Rust) reads a roster's first sheet about 13 times faster than openpyxl (100,000 rows:
# 2.5 s against 31 s, measured with bench/registry_import.py's roster, issue 12 item 1) but holds the whole
# sheet in memory (~57 MB per 100,000 rows of six columns). Up to this many rows (counted by the streaming
# precheck above, before anything is parsed) it is used; a bigger sheet streams through openpyxl in flat memory.
CALAMINE_MAX_ROWS = 250_000


def calamine_rows(handle):
    """The first sheet's rows as openpyxl's read-only mode gives them: from cell A1 (calamine's range starts at
    the first used cell), empty cells and formulas without a cached value as None, a date as a datetime."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(handle).get_sheet_by_index(0)
    # A sheet not starting at A1 has no header there (refused by the header check); calamine's row
    # iterator does not say how it aligns such a range, so it is read whole, from A1.
    rows = sheet.iter_rows() if tuple(sheet.start or (0, 0)) == (0, 0) else sheet.to_python(skip_empty_area=False)
    for row in rows:
        yield [None if value == "" else _openpyxl_date(value) if type(value) is date else value for value in row]


def _openpyxl_date(value: date) -> datetime:
    return datetime(value.year, value.month, value.day)


# --- the result sheet -------------------------------------------------------------------------------------


class ResultSheet:
    """The uploaded sheet again, one result column added: .xlsx streamed (xlsx_stream), or
    .csv for a .csv upload (the same format back)."""

    def __init__(self, as_csv: bool):
        self.as_csv = as_csv
        self.spool = tempfile.TemporaryFile()
        if as_csv:
            self.text = io.TextIOWrapper(self.spool, encoding="utf-8-sig", newline="")
            self.writer = csv.writer(self.text)
        else:
            self.sheet = StreamingXlsx(self.spool, "校验结果")

    def append(self, row: list) -> None:
        # safe_row for every cell, unless one search over the row's texts finds none that starts a formula
        try:
            texts = "\n".join(row)
        except TypeError:  # not all text
            texts = "\n".join([value for value in row if isinstance(value, str)])
        if texts.startswith(FORMULA_STARTS) or FORMULA_AFTER_NEWLINE.search(texts):
            row = safe_row(row)
        (self.writer.writerow if self.as_csv else self.sheet.append)(row)

    def finish(self):
        if self.as_csv:
            self.text.flush()
        else:
            self.sheet.close()
        self.spool.seek(0)
        return self.spool

    def save_to(self, field, name: str) -> None:
        field.save(f"{name}.{'csv' if self.as_csv else 'xlsx'}", File(self.finish()), save=False)
        self.spool.close()


def _mask_row(row: list) -> list:
    out = list(row)
    for position, purpose in MASKED_COLUMNS.items():
        if position < len(out) and out[position] not in (None, ""):
            out[position] = personal_data_masked(str(out[position]).lstrip("'"), purpose)
    return out


def result_download(roster, user) -> tuple[bytes, str, str]:
    """(content, filename, content type) of the result sheet for `user`: masked unless entitled and in scope;
    a full download is audited as a reveal of the ID and mobile numbers it contains."""
    full = may_unmask(user) and can_access(user, roster)
    is_csv = roster.result_file.name.endswith(".csv")
    name = f"validated-{roster.pk}.{'csv' if is_csv else 'xlsx'}"
    with roster.result_file.open("rb") as handle:
        if full:
            content = handle.read()
        else:
            out = ResultSheet(is_csv)
            if is_csv:
                rows = csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))
            else:
                rows = load_workbook(handle, read_only=True).worksheets[0].iter_rows(values_only=True)
            for number, row in enumerate(rows):
                out.append(list(row) if number == 0 else _mask_row(list(row)))
            content = out.finish().read()
            out.spool.close()
    action = "personal_data.reveal" if full else "file.download"
    audit_record(action, obj=roster, actor=user, division_code=roster.institution.division_id,
                 organisation_id=roster.institution_id,
                 after={"field": "result_file", "file": name, "masked": not full, "rows": roster.rows_total})
    return content, name, "text/csv; charset=utf-8" if is_csv else XLSX

