r"""Tell what a file really holds, from its first bytes, whatever its name says.

Plot lists and layers arrive renamed, cut short or as something else entirely: a
CSV saved as ``.xlsx``, a web app's "Excel" export that is an HTML page, a GeoJSON
named ``.csv``, a GeoPackage copied half-way. When a reader fails (or, for text
files, before one starts), :func:`sniff` names the real content so the message can
say what is wrong and how to fix it, instead of repeating a parser's complaint.

Only the first :data:`HEAD_BYTES` bytes are read (and, for a zip, its directory);
nothing is executed, extracted or fetched.

Examples
--------
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> page = folder / "plots.xlsx"
>>> _ = page.write_text("<!DOCTYPE html><html><body><table></table></body></html>")
>>> found = sniff(page)
>>> found.kind, found.suffix
('html', None)
>>> mismatch_message(page, found, "plots.xlsx")[:63]
'plots.xlsx is named .xlsx but holds an HTML page (a web page or'
>>> _ = (folder / "p.csv").write_text("lintang,bujur\n-2.5,112.3\n")
>>> sniff(folder / "p.csv").kind
'text'
>>> mismatch_message(page, sniff(folder / "p.csv"), "plots.xlsx")
'plots.xlsx is named .xlsx but holds text (a CSV or similar table). Fix: rename it to plots.csv.'
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HEAD_BYTES", "Sniffed", "expected_kinds", "fits", "mismatch_message", "sniff"]

#: Bytes read from the start of a file to recognize it.
HEAD_BYTES = 8192


@dataclass(frozen=True)
class Sniffed:
    """What a file holds.

    ``kind`` is a short key, ``what`` names it for messages, ``suffix`` is the name
    ending it should have (when lahan_geo reads that kind) and ``damaged`` says the
    content starts like that kind but is cut short.
    """

    kind: str
    what: str
    suffix: str | None
    damaged: bool = False


#: Kinds each file name ending may hold without complaint.
_EXPECTED: dict[str, frozenset[str]] = {
    ".csv": frozenset({"text"}), ".tsv": frozenset({"text"}), ".txt": frozenset({"text"}),
    ".xlsx": frozenset({"xlsx"}), ".xlsm": frozenset({"xlsx"}),
    ".geojson": frozenset({"geojson", "json"}), ".json": frozenset({"geojson", "json"}),
    ".gpkg": frozenset({"sqlite"}), ".shp": frozenset({"shp"}), ".fgb": frozenset({"fgb"}),
    ".kml": frozenset({"kml", "xml"}), ".gpx": frozenset({"gpx", "xml"}),
    ".kmz": frozenset({"kmz", "zip"}), ".zip": frozenset({"zip", "shapezip", "kmz"}),
}

_SHP_MAGIC = b"\x00\x00\x27\x0a"  # 9994, big-endian
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def expected_kinds(suffix: str) -> frozenset[str]:
    """Return the kinds a file named ``*.suffix`` may hold (empty when unknown)."""
    return _EXPECTED.get(suffix.lower(), frozenset())


def fits(found: Sniffed, suffix: str) -> bool:
    """Return whether content ``found`` is what a file named ``*.suffix`` should hold.

    A damaged zip cannot tell whether it was a workbook or a KMZ: it fits any name of a
    zip-based format.
    """
    suffix = suffix.lower()
    if found.kind == "zip" and found.damaged:
        return suffix in (".xlsx", ".xlsm", ".kmz", ".zip")
    return found.kind in expected_kinds(suffix)


def sniff(path: Path) -> Sniffed | None:
    """Return what ``path`` holds, or None when it cannot be read or is not recognized."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return None
    if size == 0 or not head.strip():
        return Sniffed("empty", "nothing (the file is empty)", None)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path)
    if head.startswith(b"SQLite format 3\x00"):
        damaged = _sqlite_truncated(head, size)
        return Sniffed("sqlite", "a GeoPackage (SQLite database)", ".gpkg", damaged)
    if head.startswith(_OLE2_MAGIC):
        return Sniffed("xls", "an old Excel 97-2003 workbook (.xls) or other old Office file",
                       None)
    if head.startswith(b"%PDF"):
        return Sniffed("pdf", "a PDF document", None)
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return Sniffed("image", "an image", None)
    if head.startswith(b"fgb\x03"):
        # Magic (8 bytes), then the header's length: a file shorter than both is cut.
        header = struct.unpack("<I", head[8:12])[0] if len(head) >= 12 else size
        return Sniffed("fgb", "a FlatGeobuf file", ".fgb", damaged=size < 12 + header)
    if head.startswith(_SHP_MAGIC) and len(head) >= 100:
        return Sniffed("shp", "a Shapefile's geometry (.shp)", ".shp")
    return _text_kind(head)


def _zip_kind(path: Path) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n.lower() for n in archive.namelist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return Sniffed("zip", "a zip archive (or a file built on one: .xlsx, .kmz)", ".zip",
                       damaged=True)
    if "[content_types].xml" in names and any(n.startswith("xl/") for n in names):
        return Sniffed("xlsx", "an Excel workbook (.xlsx)", ".xlsx")
    if "[content_types].xml" in names:
        return Sniffed("office", "a Word or PowerPoint document", None)
    if any(n.endswith(".shp") for n in names):
        return Sniffed("shapezip", "a zipped Shapefile", ".zip")
    if any(n.endswith(".kml") for n in names):
        return Sniffed("kmz", "a KMZ (zipped KML)", ".kmz")
    return Sniffed("zip", "a zip archive", ".zip")


def _sqlite_truncated(head: bytes, size: int) -> bool:
    """SQLite's header states the page size and (since 3.7) the page count."""
    if len(head) < 32:
        return True
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages = struct.unpack(">I", head[28:32])[0]
    return bool(pages) and size < page_size * pages


def _text_kind(head: bytes) -> Sniffed | None:
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if utf16:
        text = head.decode("utf-16", errors="ignore")
    else:
        if b"\0" in head:
            return Sniffed("binary", "binary data of no known format", None)
        text = head.decode("utf-8", errors="ignore")
    text = text.lstrip("\ufeff \t\r\n")
    low = text[:2048].lower()
    if low.startswith(("<!doctype html", "<html")) or "<html" in low[:512]:
        return Sniffed("html", "an HTML page (a web page or a web app's 'Excel' export)",
                       None)
    if low.startswith("<"):
        if "<kml" in low:
            return Sniffed("kml", "KML", ".kml")
        if "<gpx" in low:
            return Sniffed("gpx", "GPX", ".gpx")
        if "urn:schemas-microsoft-com:office:spreadsheet" in low:
            return Sniffed("xml_spreadsheet", "an Excel 2003 XML spreadsheet", None)
        return Sniffed("xml", "an XML document", None)
    stripped = low.lstrip()
    if stripped.startswith("{") or (stripped.startswith("[") and
                                    stripped[1:].lstrip()[:1] in ("{", "[")):
        if '"type"' in low and any(w in low for w in ("featurecollection", '"feature"',
                                                       '"coordinates"')):
            return Sniffed("geojson", "GeoJSON", ".geojson")
        return Sniffed("json", "JSON", ".json")
    printable = sum(ch.isprintable() or ch in "\t\r\n" for ch in text[:4096])
    # Random bytes: not UTF-8, and one in nine a control character; text has next to none.
    sample = head[:4096]
    controls = sum((b < 0x20 and b not in b"\t\r\n\x0c") or b == 0x7F for b in sample)
    if not utf16 and controls >= max(32, 0.05 * len(sample)) and not _is_utf8(sample):
        return Sniffed("binary", "binary data of no known format", None)
    if text and printable / min(len(text), 4096) > 0.95:
        return Sniffed("text", "text (a CSV or similar table)", ".csv")
    return None


def _is_utf8(sample: bytes) -> bool:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(sample) - 3  # only a character cut at the sample's end
    return True


_FIXES: dict[str, str] = {
    "empty": "the copy or download may have failed: get the file again",
    "html": ("open it in a browser or spreadsheet program and save the table as .xlsx or "
             ".csv (a failed download or a login page holds no plots at all)"),
    "xls": "open it in Excel or LibreOffice and save it as .xlsx",
    "xml_spreadsheet": "open it in Excel or LibreOffice and save it as .xlsx",
    "pdf": "a PDF cannot be read: ask for the plot list as a spreadsheet (.xlsx or .csv)",
    "image": "an image cannot be read: ask for the plot list as a spreadsheet or GIS file",
    "office": "ask for the plot list as a spreadsheet (.xlsx or .csv)",
    "xml": "export the plots as KML, GPX, .xlsx or .csv",
    "json": "export the plots as GeoJSON (a FeatureCollection)",
    "binary": "the file is damaged or not what it should be: get it again from the sender",
}


_TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
_TEXT_KINDS = frozenset({"text", "html", "kml", "gpx", "xml", "xml_spreadsheet", "geojson",
                         "json"})


def mismatch_message(path: Path | str, found: Sniffed, label: str | None = None,
                     reason: str | None = None) -> str:
    """Return the message for a file whose content is not what its name says.

    ``reason`` is the reader's own complaint; it leads the message, without its fix.
    """
    path = Path(path)
    name = label or str(path)
    suffix = path.suffix.lower()
    cut = " (cut short or damaged)" if found.damaged else ""
    if found.kind == "empty":
        return f"{name} is empty. Fix: {_FIXES['empty']}."
    if fits(found, suffix):
        return (f"{name} is {found.what} but it is cut short or damaged. Fix: copy or "
                "download it again from the original.")
    if suffix in _TEXT_SUFFIXES and found.kind == "binary":
        what, fix = f"{name} is not a text file (it holds binary data)", "save it as CSV (UTF-8)"
    elif suffix in _TEXT_SUFFIXES and found.kind not in _TEXT_KINDS:
        what = f"{name} is not a text file (it holds binary data: {found.what}{cut})"
        fix = _FIXES.get(found.kind) or (f"rename it to {path.stem}{found.suffix}"
                                         if found.suffix else "save the plot list as CSV")
    else:
        what = f"{name} is named {suffix or '(no ending)'} but holds {found.what}{cut}"
        fix = _FIXES.get(found.kind) or (f"rename it to {path.stem}{found.suffix}"
                                         if found.suffix else "check the file")
    lead = ""
    if reason:
        lead = reason.split(" Fix: ")[0].rstrip(" .")
        lead = (lead if len(lead) <= 300 else f"{lead[:297]}...") + ". "
    return f"{lead}{what}. Fix: {fix}."
