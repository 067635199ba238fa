r"""Open zipped plot files (a zipped Shapefile, a KMZ) without trusting the archive.

Before anything is extracted or read, every entry is checked:

- its name must stay inside the target folder: no absolute path (``/etc/x``,
  ``C:\x``), no ``..`` part, no backslash tricks;
- the archive may hold at most ``archive_members`` entries, and their total
  uncompressed size may be at most ``archive_unpacked_bytes`` (500 MB), as the
  archive declares it (budgets of :mod:`lahan_geo.limits`);
- no entry may be both a file and the folder of another entry (``data`` and
  ``data/plots.csv``), and no name part may be longer than a file system takes;
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
from lahan_geo.limits import current, too_big

__all__ = [
    "checked_members",
    "extract_safely",
    "open_archive",
    "read_member",
]

#: Bytes of one part of an entry's path (most file systems take 255).
_MAX_NAME_BYTES = 255

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
        For an entry whose path leaves the archive, too many entries, a total
        uncompressed size over budget, a file that is also a folder or a name too long.
    """
    infos = archive.infolist()
    limits = current()
    if len(infos) > limits.archive_members:
        raise InputError(too_big(label, f"holds {len(infos):,} entries", "archive_members",
                                 "zip only the plot files"))
    total = 0
    for info in infos:
        if not _safe_name(info.filename):
            msg = (f"{label} holds {info.filename!r}, a path that leaves the archive's folder "
                   "(absolute or with '..'); the archive is refused for safety. Fix: zip the "
                   "plot files again from their own folder.")
            raise InputError(msg)
        total += info.file_size
    if total > limits.archive_unpacked_bytes:
        raise InputError(too_big(label, f"unpacks to {total / 1e6:,.0f} MB",
                                 "archive_unpacked_bytes", "zip only the plot files (a "
                                 "Shapefile of plots is a few MB)"))
    files = [info for info in infos if not info.is_dir()]
    _check_layout(files, label)
    return files


def _parts(name: str) -> tuple[str, ...]:
    return tuple(p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", "."))


def _check_layout(files: list[zipfile.ZipInfo], label: str) -> None:
    """Refuse entries no folder can hold: a file that is also a folder, over-long names."""
    seen: dict[tuple[str, ...], str] = {}
    for info in files:
        parts = _parts(info.filename)
        long = next((p for p in parts if len(p.encode("utf-8")) > _MAX_NAME_BYTES), None)
        if long is not None:
            msg = (f"{label} holds {info.filename[:80]!r}..., whose name part of "
                   f"{len(long):,} characters is longer than a file system takes "
                   f"({_MAX_NAME_BYTES} bytes). Fix: zip the plot files again with shorter "
                   "names.")
            raise InputError(msg)
        key = tuple(p.casefold() for p in parts)
        if key in seen:
            msg = (f"{label} holds {info.filename!r} twice (as {seen[key]!r} too). Fix: zip "
                   "the plot files again, each once.")
            raise InputError(msg)
        seen[key] = info.filename
    for key, name in seen.items():
        for cut in range(1, len(key)):
            if key[:cut] in seen:
                msg = (f"{label} holds both the file {seen[key[:cut]]!r} and {name!r}, which "
                       "needs a folder of that name; no folder can hold both. Fix: zip the "
                       "plot files again from their own folder.")
                raise InputError(msg)


def _too_large(label: str) -> InputError:
    return InputError(too_big(label, "unpacks to more than it declares", "archive_unpacked_bytes",
                              "zip the plot files again"))


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> bytes:
    """Read one checked entry into memory, stopping at the size limit."""
    out = bytearray()
    limit = current().archive_unpacked_bytes
    try:
        with archive.open(info) as source:
            while chunk := source.read(_CHUNK):
                out += chunk
                if len(out) > limit:
                    raise _too_large(label)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as err:
        msg = f"{label}: entry {info.filename!r} cannot be read ({err}). Fix: zip it again."
        raise InputError(msg) from None
    return bytes(out)


def extract_safely(archive: zipfile.ZipFile, target: Path, label: str) -> list[Path]:
    """Extract every checked entry below ``target`` as plain files; return their paths."""
    written = 0
    limit = current().archive_unpacked_bytes
    paths = []
    for info in checked_members(archive, label):
        dest = target.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
        if target.resolve() not in dest.resolve().parents:
            msg = f"{label} holds {info.filename!r}, which leaves the archive's folder; refused."
            raise InputError(msg)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, dest.open("wb") as sink:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    if written > limit:
                        raise _too_large(label)
                    sink.write(chunk)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as err:
            msg = (f"{label}: entry {info.filename!r} cannot be extracted ({err}). "
                   "Fix: zip it again.")
            raise InputError(msg) from None
        paths.append(dest)
    return paths

