r"""Open zipped plot files (a zipped Shapefile, a KMZ) without trusting the archive.

Before anything is extracted or read, every entry is checked:

- its name must stay inside the target folder: no absolute path (``/etc/x``,
  ``C:\x``), no ``..`` part, no backslash tricks;
- the archive may hold at most :data:`MAX_ARCHIVE_MEMBERS` entries, and their total
  uncompressed size may be at most :data:`MAX_UNCOMPRESSED_BYTES` (500 MB), as the
  archive declares it;
- while extracting, the bytes actually written are counted again, so an archive that
  lies about its sizes is stopped at the same limit.

Entries are written as plain files (never as links) into a fresh temporary folder.

Examples
--------
>>> import io, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w") as zf:
...     zf.writestr("../evil.txt", "x")
>>> checked_members(zipfile.ZipFile(buffer), "evil.zip")
Traceback (most recent call last):
...
lahan_geo.errors.InputError: evil.zip holds '../evil.txt', a path that leaves the archive's ...
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from lahan_geo.errors import InputError

__all__ = [
    "MAX_ARCHIVE_MEMBERS",
    "MAX_UNCOMPRESSED_BYTES",
    "checked_members",
    "extract_safely",
    "open_archive",
    "read_member",
]

#: Total uncompressed size (bytes) of an archive lahan_geo opens: 500 MB.
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024

#: Entries an archive may hold.
MAX_ARCHIVE_MEMBERS = 10_000

_CHUNK = 1024 * 1024


def open_archive(path: Path) -> zipfile.ZipFile:
    """Open a zip archive, or raise an InputError naming the file and the fix."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        msg = f"{path} is not a readable zip archive ({err}). Fix: zip the files again."
        raise InputError(msg) from None


def _safe_name(name: str) -> bool:
    if not name or "\0" in name:
        return False
    posix = name.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        return False
    return ".." not in PurePosixPath(posix).parts


def checked_members(archive: zipfile.ZipFile, label: str) -> list[zipfile.ZipInfo]:
    """Return the archive's file entries after the safety checks (module notes).

    Raises
    ------
    InputError
        For an entry whose path leaves the archive, too many entries, or a total
        uncompressed size above :data:`MAX_UNCOMPRESSED_BYTES`.
    """
    infos = archive.infolist()
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        msg = (f"{label} holds {len(infos):,} entries, more than the {MAX_ARCHIVE_MEMBERS:,} "
               "lahan_geo opens. Fix: zip only the plot files.")
        raise InputError(msg)
    total = 0
    for info in infos:
        if not _safe_name(info.filename):
            msg = (f"{label} holds {info.filename!r}, a path that leaves the archive's folder "
                   "(absolute or with '..'); the archive is refused for safety. Fix: zip the "
                   "plot files again from their own folder.")
            raise InputError(msg)
        total += info.file_size
    if total > MAX_UNCOMPRESSED_BYTES:
        msg = (f"{label} unpacks to {total / 1e6:,.0f} MB, more than the "
               f"{MAX_UNCOMPRESSED_BYTES / 1e6:,.0f} MB lahan_geo extracts. Fix: zip only the "
               "plot files (a Shapefile of plots is a few MB).")
        raise InputError(msg)
    return [info for info in infos if not info.is_dir()]


def _too_large(label: str) -> InputError:
    msg = (f"{label} unpacks to more than {MAX_UNCOMPRESSED_BYTES / 1e6:,.0f} MB (more than it "
           "declares); refused. Fix: zip the plot files again.")
    return InputError(msg)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> bytes:
    """Read one checked entry into memory, stopping at the size limit."""
    out = bytearray()
    try:
        with archive.open(info) as source:
            while chunk := source.read(_CHUNK):
                out += chunk
                if len(out) > MAX_UNCOMPRESSED_BYTES:
                    raise _too_large(label)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as err:
        msg = f"{label}: entry {info.filename!r} cannot be read ({err}). Fix: zip it again."
        raise InputError(msg) from None
    return bytes(out)


def extract_safely(archive: zipfile.ZipFile, target: Path, label: str) -> list[Path]:
    """Extract every checked entry below ``target`` as plain files; return their paths."""
    written = 0
    paths = []
    for info in checked_members(archive, label):
        dest = target.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
        if target.resolve() not in dest.resolve().parents:
            msg = f"{label} holds {info.filename!r}, which leaves the archive's folder; refused."
            raise InputError(msg)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(info) as source, dest.open("wb") as sink:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    if written > MAX_UNCOMPRESSED_BYTES:
                        raise _too_large(label)
                    sink.write(chunk)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as err:
            msg = (f"{label}: entry {info.filename!r} cannot be extracted ({err}). "
                   "Fix: zip it again.")
            raise InputError(msg) from None
        paths.append(dest)
    return paths

