"""On-disk cache of prepared legal layers and what is derived from them: data only, authenticated.

Validating and repairing a province's forest layer (millions of vertices) takes
seconds; loading the prepared result takes a fraction of that. A prepared layer is
keyed by the SHA-256 of the source file (and a shapefile's sidecars) together with
the reader, its options and the library version; what is derived from a layer
(boundaries, pieces) is keyed by :func:`layer_fingerprint` of the geometry and
categories actually screened. A changed file, an edited layer, other options or a
new library version never get a stale entry.

The cache lives in ``$LAHAN_GEO_CACHE`` if set (``off`` disables it), else in
``$XDG_CACHE_HOME/lahan_geo`` or ``~/.cache/lahan_geo``. What arrives from it is
trusted no more than any other input:

- The folder is created with mode 700 and is used only when it is a folder of the
  current user that nobody else can write to (on POSIX systems); otherwise the run
  goes without it and one :class:`~lahan_geo.errors.CacheWarning` says why and how
  to fix it.
- Entries hold data only, never a pickle: a prepared layer is GeoParquet with its
  ``attrs`` as JSON, derived geometries are ``.npz`` arrays read with
  ``allow_pickle=False``.
- Every entry carries an HMAC-SHA256 over its name and content, made with a random
  per-user key (``.hmac-key`` in the folder, mode 600). It is checked before any
  byte of the entry is parsed; an entry that fails (damaged, truncated, written by
  someone else, copied from another entry, an older format) is removed and rebuilt
  with a one-line :class:`~lahan_geo.errors.CacheWarning`.
- Entries are written to a temporary file in the folder and renamed into place; a
  temporary file is removed when its write fails, and ones left by a killed process
  are swept after an hour.

Other code stores its own data through :func:`write_entry` and :func:`read_entry`
(raw bytes, authenticated the same way). A cache never changes a result: an entry is
used only when it is exactly what would be built.

Examples
--------
>>> import os, tempfile
>>> os.environ["LAHAN_GEO_CACHE"] = "off"
>>> cache_dir() is None, read_entry("pages-1.json") is None, write_entry("pages-1.json", b"x")
(True, True, False)
>>> os.environ["LAHAN_GEO_CACHE"] = tempfile.mkdtemp()
>>> write_entry("pages-1.json", b'{"page": 1}')
True
>>> read_entry("pages-1.json")
b'{"page": 1}'
>>> del os.environ["LAHAN_GEO_CACHE"]
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import operator
import os
import re
import secrets
import stat
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lahan_geo.errors import CacheWarning
from lahan_geo.version import __version__

__all__ = [
    "cache_dir",
    "cached_geometries",
    "cached_layer",
    "file_sha256",
    "layer_fingerprint",
    "read_entry",
    "reject_entry",
    "usable_cache_dir",
    "write_entry",
]

_OFF = {"off", "0", "false", "no", "none", ""}

#: First bytes of every entry: the envelope's format (part of what the MAC covers).
_MAGIC = b"lahan_geo cache entry v1\n"
_MAC_BYTES = 32
_KEY_FILE = ".hmac-key"
_KEY_BYTES = 32
_TEMP_PREFIX = ".tmp-"
#: Age (seconds) after which a temporary file in the folder is a killed run's leftover.
_STALE_TEMP_S = 3600.0
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}\Z")
_POSIX = os.name == "posix"

#: Folders already warned about, and already swept, in this process.
_NOTICED: set[tuple[str, str]] = set()
_SWEPT: set[str] = set()


def cache_dir() -> Path | None:
    """Return the configured cache folder, or None when caching is switched off.

    Whether the folder may be used is :func:`usable_cache_dir`'s question.
    """
    setting = os.environ.get("LAHAN_GEO_CACHE")
    if setting is not None:
        return None if setting.strip().lower() in _OFF else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lahan_geo"


def usable_cache_dir() -> Path | None:
    """Return the cache folder when it is on and safe to use, else None.

    The folder is created (mode 700) when missing. It is refused, with one
    :class:`~lahan_geo.errors.CacheWarning` per process, when it is not a folder,
    belongs to another user, or others may write to it: whoever can write there can
    choose what the next screening is served.
    """
    folder = cache_dir()
    if folder is None:
        return None
    why = _unsafe(folder)
    if why is not None:
        _notice(str(folder), why, f"The layer cache {folder} is not used: {why}. Fix: "
                f"chmod 700 {folder} if it is your own folder, or set LAHAN_GEO_CACHE to a "
                "folder of your own (or to off).")
        return None
    if str(folder) not in _SWEPT:
        _SWEPT.add(str(folder))
        _sweep(folder)
    return folder


def _unsafe(folder: Path) -> str | None:
    """Say why ``folder`` may not hold the cache, or None when it may."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(folder)
    except OSError as err:
        return f"it cannot be created or read ({err.strerror or err})"
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a folder"
    if _POSIX and hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"it belongs to another user (uid {st.st_uid}, you are {os.getuid()})"
    if _POSIX and st.st_mode & 0o022:
        return f"others can write to it (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def _notice(folder: str, why: str, message: str) -> None:
    """Warn once per process about a folder."""
    if (folder, why) not in _NOTICED:
        _NOTICED.add((folder, why))
        warnings.warn(message, CacheWarning, stacklevel=4)


def _sweep(folder: Path) -> None:
    """Remove temporary files a killed run left in the folder."""
    now = time.time()
    with suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.startswith(_TEMP_PREFIX):
                continue
            with suppress(OSError):
                if (entry.is_file(follow_symlinks=False)
                        and now - entry.stat(follow_symlinks=False).st_mtime > _STALE_TEMP_S):
                    os.unlink(entry.path)


# --------------------------------------------------------------------------------------
# Authenticated entries
# --------------------------------------------------------------------------------------
def _checked_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        msg = (f"Cache entry name {name!r} is not usable: use letters, digits, '.', '_' "
               "and '-' only, starting with a letter or digit, at most 200 characters.")
        raise ValueError(msg)
    return name


def _read_key(path: Path) -> bytes | None:
    """Return the folder's key, None when there is none; a bad key file is removed."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as err:
        why = f"cannot be opened ({err.strerror or err})"
    else:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            key = fh.read(_KEY_BYTES + 1)
        why = None
        if not stat.S_ISREG(st.st_mode):
            why = "not a regular file"
        elif _POSIX and hasattr(os, "getuid") and st.st_uid != os.getuid():
            why = "owned by another user"
        elif _POSIX and st.st_mode & 0o077:
            why = f"readable or writable by others (mode {stat.S_IMODE(st.st_mode):o})"
        elif len(key) != _KEY_BYTES:
            why = "damaged"
        if why is None:
            return key
    warnings.warn(f"The layer cache key {path} is {why}: replaced with a new one, and the "
                  "entries made with it will be rebuilt.", CacheWarning, stacklevel=4)
    with suppress(OSError):
        os.unlink(path)
    return None


def _key(folder: Path, create: bool) -> bytes | None:
    """Return the folder's HMAC key, making one (mode 600) when asked and missing."""
    path = folder / _KEY_FILE
    key = _read_key(path)
    if key is not None or not create:
        return key
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=_TEMP_PREFIX)  # mode 600
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(_KEY_BYTES))
        with suppress(FileExistsError):  # another process made one first: use theirs
            os.link(tmp, path)
    except OSError:
        return None
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
    return _read_key(path)


def _mac(key: bytes, name: str, data: bytes | memoryview) -> bytes:
    digest = hmac.new(key, _MAGIC, hashlib.sha256)
    digest.update(name.encode("ascii") + b"\0")
    digest.update(data)
    return digest.digest()


def write_entry(name: str, data: bytes) -> bool:
    """Store ``data`` in the cache as entry ``name``; return whether it was stored.

    The entry is authenticated with the user's key and written atomically (a
    temporary file renamed into place, removed if anything fails). Nothing is
    stored, and False returned, when the cache is off or unusable or the folder
    cannot be written: a cache only ever costs speed.

    Parameters
    ----------
    name : str
        The entry's file name: letters, digits, ``.``, ``_`` and ``-``, at most 200
        characters. Derive it from everything the data depends on (e.g. a SHA-256
        of the request), prefixed with what it is (``"pages-..."``).
    data : bytes
        What to store.

    Returns
    -------
    bool
    """
    _checked_name(name)
    folder = usable_cache_dir()
    if folder is None:
        return False
    key = _key(folder, create=True)
    if key is None:
        return False
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=_TEMP_PREFIX)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC)
            fh.write(_mac(key, name, data))
            fh.write(data)
        os.replace(tmp, folder / name)
        tmp = None
    except OSError:
        return False
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
    return True


def read_entry(name: str) -> bytes | None:
    """Return the data stored as entry ``name``, or None.

    None when the cache is off or unusable, the entry is missing, or it is rejected:
    not a regular file, not in this format, or its authentication code does not
    match (damaged, truncated, made by someone else or for another name). A
    rejected entry is removed with a one-line :class:`~lahan_geo.errors.CacheWarning`;
    the caller builds the data again and stores it with :func:`write_entry`. Nothing
    of a rejected entry is parsed.
    """
    _checked_name(name)
    folder = usable_cache_dir()
    if folder is None:
        return None
    path = folder / name
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as err:
        reject_entry(name, f"it cannot be opened ({err.strerror or err})")
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            reject_entry(name, "it is not a regular file")
            return None
        head = fh.read(len(_MAGIC) + _MAC_BYTES)
        data = fh.read()
    key = _key(folder, create=False)
    if head[: len(_MAGIC)] != _MAGIC:
        reject_entry(name, "it is not an entry of this lahan_geo cache format")
        return None
    if key is None or not hmac.compare_digest(head[len(_MAGIC):], _mac(key, name, data)):
        reject_entry(name, "its authentication code does not match: damaged, or not "
                     "written by your lahan_geo for this name")
        return None
    return data


def reject_entry(name: str, why: str) -> None:
    """Remove entry ``name`` with a one-line :class:`~lahan_geo.errors.CacheWarning`.

    For callers whose authenticated data still cannot be used (it does not parse,
    or does not fit what it is for); it is rebuilt.
    """
    folder = cache_dir()
    warnings.warn(f"Cache entry {name} in {folder} rejected ({why}); rebuilding it.",
                  CacheWarning, stacklevel=3)
    if folder is not None:
        with suppress(OSError):
            os.unlink(folder / _checked_name(name))


# --------------------------------------------------------------------------------------
# Content keys
# --------------------------------------------------------------------------------------
def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file; for a shapefile, of all its sidecar files too.

    Sidecars are the files named like the ``.shp`` up to its first dot after the stem
    (``hutan[2023].dbf``, ``.prj``, ``.shp.xml``), matched literally: brackets, stars
    and question marks in a name are characters, not a pattern.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name, text in [("hutan[2023].shp", b"a"), ("hutan[2023].dbf", b"b"),
    ...                    ("hutan2.shp", b"c")]:
    ...     _ = (folder / name).write_bytes(text)
    >>> file_sha256(folder / "hutan[2023].shp") == hashlib.sha256(b"ba").hexdigest()
    True
    """
    path = Path(path)
    files = [path]
    if path.suffix.lower() == ".shp":
        prefix = path.stem + "."
        with os.scandir(path.parent) as entries:
            sidecars = [Path(e.path) for e in entries
                        if e.name.startswith(prefix) and e.is_file()]
        files = sorted(set(sidecars) | {path})
    stamp = []
    for f in files:
        st = f.stat()
        stamp.append((str(f.resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    key = tuple(stamp)
    with _DIGESTS_LOCK:
        if key in _FILE_DIGESTS:
            return _FILE_DIGESTS[key]
    digest = hashlib.sha256()
    for f in files:
        with open(f, "rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(chunk)
    value = digest.hexdigest()
    with _DIGESTS_LOCK:  # the same files, unchanged since (size, times, inode): same bytes
        while len(_FILE_DIGESTS) >= _DIGESTS_KEPT:
            _FILE_DIGESTS.pop(next(iter(_FILE_DIGESTS)))
        _FILE_DIGESTS[key] = value
    return value


#: SHA-256 of the last few files hashed in this process, by their paths and stat stamps
#: (a file written again changes its change time even when its size and mtime are kept).
_FILE_DIGESTS: dict[tuple[Any, ...], str] = {}


#: Geometry digests of the last few layers, with the geometry objects they were made
#: from (kept alive, so an identical object sequence is the same geometry: shapely
#: geometries are immutable).
_DIGESTS: list[tuple[np.ndarray, bytes]] = []
_DIGESTS_KEPT = 8
_DIGESTS_LOCK = threading.Lock()


def layer_fingerprint(layer: gpd.GeoDataFrame, columns: Sequence[str] = ()) -> str:
    """Return a SHA-256 of what a screening reads from a layer: CRS, geometry, ``columns``.

    Every cache key of something derived from a layer includes it, so a layer whose
    geometries or categories were edited in memory is never served what was derived
    from the unedited one. The geometry part hashes the coordinate and offset arrays
    (``shapely.to_ragged_array``; WKB for mixed geometry types) and is remembered for
    the last few layers while their geometry objects stay the same: ~0.13 s for the
    first call on a 2.8M-vertex layer, well under a millisecond per 1,000 rows after.

    Examples
    --------
    >>> from shapely import box
    >>> layer = gpd.GeoDataFrame({"f": ["HL"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    >>> before = layer_fingerprint(layer, ["f"])
    >>> before == layer_fingerprint(layer.copy(), ["f"])
    True
    >>> layer.loc[0, "geometry"] = box(0, 0, 1, 2)
    >>> before == layer_fingerprint(layer, ["f"])
    False
    """
    digest = hashlib.sha256()
    digest.update((layer.crs.to_wkt() if layer.crs is not None else "").encode())
    digest.update(_geometry_digest(np.asarray(layer.geometry.array, dtype=object)))
    for column in columns:
        values = layer[column].astype(object)
        digest.update(repr((str(column), [None if pd.isna(v) else v for v in values])
                           ).encode())
    return digest.hexdigest()


def _geometry_digest(geoms: np.ndarray) -> bytes:
    with _DIGESTS_LOCK:
        for kept, value in _DIGESTS:
            if len(kept) == len(geoms) and all(map(operator.is_, kept, geoms)):
                return value
    digest = hashlib.sha256(len(geoms).to_bytes(8, "little"))
    missing = pd.isna(geoms)
    types = np.full(len(geoms), -1, dtype="<i4")
    types[~missing] = shapely.get_type_id(geoms[~missing])
    digest.update(types.tobytes())
    present = geoms[~missing]
    try:
        _, coords, offsets = shapely.to_ragged_array(present)
        arrays = [coords.astype("<f8"), *(o.astype("<i8") for o in offsets)]
    except Exception:  # mixed geometry types, or what ragged arrays cannot hold
        arrays = [np.frombuffer(b"".join(shapely.to_wkb(present)), dtype=np.uint8)]
    for array in arrays:
        digest.update(str(array.shape).encode())
        digest.update(np.ascontiguousarray(array).data)
    value = digest.digest()
    with _DIGESTS_LOCK:
        while len(_DIGESTS) >= _DIGESTS_KEPT:
            _DIGESTS.pop(0)
        _DIGESTS.append((geoms.copy(), value))
    return value


# --------------------------------------------------------------------------------------
# Prepared layers
# --------------------------------------------------------------------------------------
def cached_layer(
    source: Any, reader: str, options: dict[str, Any], build: Callable[[], gpd.GeoDataFrame]
) -> gpd.GeoDataFrame:
    """Return ``build()``, from the cache when the same file was prepared before.

    Only file paths are cached (a GeoDataFrame in memory is already loaded). The
    entry is GeoParquet with the layer's ``attrs`` as JSON, stored only when it reads
    back exactly as built. ``attrs["lahan_geo"]["cache"]`` says "hit", "stored",
    "off" (no usable cache), "unwritable" or "not stored" (the layer has values
    GeoParquet or JSON would not give back unchanged).
    """
    usable = isinstance(source, (str, os.PathLike)) and Path(source).is_file()
    if not usable or usable_cache_dir() is None:
        layer = build()
        layer.attrs.setdefault("lahan_geo", {})["cache"] = "off"
        return layer
    path = Path(source)
    sha = file_sha256(path)
    key = hashlib.sha256(repr((sha, reader, sorted(options.items()), __version__,
                               _LAYER_FORMAT)).encode())
    name = f"{reader}-{key.hexdigest()[:32]}.layer"
    data = read_entry(name)
    if data is not None:
        try:
            layer = _layer_from(data)
        except Exception as err:  # authentic but unreadable: rebuilt, never trusted
            reject_entry(name, f"it does not read as a layer: {type(err).__name__}")
        else:
            info = layer.attrs.setdefault("lahan_geo", {})
            info.update(path=str(path), sha256=sha, cache="hit")
            return layer
    layer = build()
    info = layer.attrs.setdefault("lahan_geo", {})
    info["cache"] = "stored"
    data = _layer_to(layer)
    if data is None:
        info["cache"] = "not stored"
    elif not write_entry(name, data):
        info["cache"] = "unwritable"
    return layer


#: How prepared layers are laid out on disk (part of their key).
_LAYER_FORMAT = "geoparquet-json-1"


def _layer_to(layer: gpd.GeoDataFrame) -> bytes | None:
    """Head (attrs, CRS, object columns) as JSON, then GeoParquet; None when not exact."""
    if not _plain(layer.attrs) or layer.crs is None:
        return None
    geometry = layer.geometry.name
    loose = [str(c) for c, t in layer.dtypes.items()
             if pd.api.types.is_object_dtype(t) and c != geometry]
    head = json.dumps({"attrs": layer.attrs, "crs": layer.crs.srs, "objects": loose}
                      ).encode("utf-8")
    buffer = io.BytesIO()
    try:
        layer.to_parquet(buffer)
        data = len(head).to_bytes(8, "big") + head + buffer.getvalue()
        back = _layer_from(data)
        pd.testing.assert_frame_equal(back.drop(columns=geometry),
                                      layer.drop(columns=geometry), check_exact=True)
    except Exception:  # a value GeoParquet cannot hold, or would give back changed
        return None
    same = (back.geometry.name == geometry and str(back.crs) == str(layer.crs)
            and all(list(map(repr, back[c])) == list(map(repr, layer[c])) for c in loose)
            and np.array_equal(shapely.to_wkb(np.asarray(back.geometry.array, dtype=object)),
                               shapely.to_wkb(np.asarray(layer.geometry.array, dtype=object))))
    return data if same else None


def _layer_from(data: bytes) -> gpd.GeoDataFrame:
    import pyarrow.parquet as pq

    size = int.from_bytes(data[:8], "big")
    head = json.loads(data[8:8 + size].decode("utf-8"))
    parquet = data[8 + size:]
    layer = gpd.read_parquet(io.BytesIO(parquet))
    if head["objects"]:  # Python values as they were (None, not NaN; no string dtype)
        table = pq.read_table(io.BytesIO(parquet), columns=head["objects"])
        for column in head["objects"]:
            layer[column] = pd.Series(table.column(column).to_pylist(), index=layer.index,
                                      dtype=object)
    layer.set_crs(head["crs"], allow_override=True, inplace=True)
    layer.attrs = head["attrs"]
    return layer


def _plain(value: Any) -> bool:
    """Whether ``value`` comes back from JSON exactly as it is (no tuples, str keys)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return type(value) in (type(None), str, bool, int, float)
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(type(k) is str and _plain(v) for k, v in value.items())
    return False


# --------------------------------------------------------------------------------------
# Derived geometries
# --------------------------------------------------------------------------------------
def cached_geometries(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """Return ``build()`` (an array of geometries), from the cache when built before.

    Used for what is derived from a prepared layer and costly to derive again, such
    as its decisive boundaries under a rule set. ``key`` must name everything the
    result depends on (:func:`layer_fingerprint`, the rule outcomes); nothing is
    cached when ``key[0]`` is None. Geometries are stored as plain arrays in an
    ``.npz`` read with ``allow_pickle=False``: coordinates and offsets
    (``shapely.to_ragged_array``, loaded ~50x faster than WKB) when they are all of
    one type, else WKB.
    """
    if key[0] is None or usable_cache_dir() is None:
        return build()
    digest = hashlib.sha256(repr((key, __version__, _FORMAT)).encode()).hexdigest()[:32]
    name = f"geometries-{digest}.npz"
    data = read_entry(name)
    if data is not None:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
                return _geometries_from(arrays)
        except Exception as err:  # authentic but unreadable: rebuilt, never trusted
            reject_entry(name, f"it does not read as geometries: {type(err).__name__}")
    geoms = build()
    buffer = io.BytesIO()
    try:
        np.savez(buffer, **_geometries_to(np.asarray(geoms, dtype=object)))
    except (ValueError, TypeError):
        return geoms
    write_entry(name, buffer.getvalue())
    return geoms


#: How derived geometries are laid out on disk (part of their key).
_FORMAT = "ragged-or-wkb-2"


def _geometries_to(geoms: Any) -> dict[str, Any]:
    kinds = set(shapely.get_type_id(geoms).tolist())
    if len(geoms) and len(kinds) == 1 and kinds <= {0, 1, 3, 4, 5, 6} and not (
            shapely.is_empty(geoms).any() or shapely.has_z(geoms).any()):
        kind, coords, offsets = shapely.to_ragged_array(geoms)
        return {"kind": np.array([int(kind)]), "coords": coords,
                **{f"offsets{i}": o for i, o in enumerate(offsets)}}
    wkb = [bytes(w) for w in shapely.to_wkb(geoms)]
    return {"blob": np.frombuffer(b"".join(wkb), dtype=np.uint8),
            "ends": np.cumsum([len(w) for w in wkb], dtype=np.int64)}


def _geometries_from(data: Any) -> Any:
    if "kind" in data:
        offsets = tuple(data[f"offsets{i}"] for i in range(3) if f"offsets{i}" in data)
        geoms = shapely.from_ragged_array(shapely.GeometryType(int(data["kind"][0])),
                                          data["coords"], offsets or None)
        return np.asarray(geoms, dtype=object)
    blob, ends = data["blob"].tobytes(), data["ends"]
    starts = np.concatenate([[0], ends[:-1]])
    wkb = [blob[a:b] for a, b in zip(starts.tolist(), ends.tolist())]
    return np.asarray(shapely.from_wkb(wkb), dtype=object).reshape(-1)
