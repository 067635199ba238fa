"""On-disk cache of prepared legal layers, keyed by the file's content.

Validating and repairing a province's forest layer (millions of vertices) takes
seconds; loading the prepared result takes a fraction of that. The key is the
SHA-256 of the source file (and a shapefile's sidecars) together with the reader,
its options and the library version, so a changed file, other options or a new
library version never get a stale layer.

The cache lives in ``$LAHAN_GEO_CACHE`` if set (``off`` disables it), else in
``$XDG_CACHE_HOME/lahan_geo`` or ``~/.cache/lahan_geo``. Entries are Python
pickles written atomically; like any cache of the user's own, it must not be a
folder others can write to.

Examples
--------
>>> import os
>>> os.environ["LAHAN_GEO_CACHE"] = "off"
>>> cache_dir() is None
True
>>> del os.environ["LAHAN_GEO_CACHE"]
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd

from lahan_geo import __version__

__all__ = ["cache_dir", "cached_geometries", "cached_layer", "file_sha256"]

_OFF = {"off", "0", "false", "no", "none", ""}


def cache_dir() -> Path | None:
    """Return the cache folder, or None when caching is switched off."""
    setting = os.environ.get("LAHAN_GEO_CACHE")
    if setting is not None:
        return None if setting.strip().lower() in _OFF else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lahan_geo"


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file; for a shapefile, of all its sidecar files too."""
    digest = hashlib.sha256()
    files = [path]
    if path.suffix.lower() == ".shp":
        files = sorted(p for p in path.parent.glob(path.stem + ".*") if p.is_file())
    for f in files:
        with open(f, "rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def cached_layer(
    source: Any, reader: str, options: dict[str, Any], build: Callable[[], gpd.GeoDataFrame]
) -> gpd.GeoDataFrame:
    """Return ``build()``, from the cache when the same file was prepared before.

    Only file paths are cached (a GeoDataFrame in memory is already loaded). The
    entry records where it came from; ``attrs["lahan_geo"]["cache"]`` says "hit" or
    "stored" (or "off").
    """
    folder = cache_dir()
    if folder is None or not isinstance(source, (str, os.PathLike)) or not Path(source).is_file():
        layer = build()
        layer.attrs.setdefault("lahan_geo", {})["cache"] = "off"
        return layer
    path = Path(source)
    sha = file_sha256(path)
    key = hashlib.sha256(repr((sha, reader, sorted(options.items()), __version__)).encode())
    entry = folder / f"{reader}-{key.hexdigest()[:32]}.pkl"
    if entry.is_file():
        try:
            with open(entry, "rb") as fh:
                layer = pickle.load(fh)
            if isinstance(layer, gpd.GeoDataFrame):
                info = layer.attrs.setdefault("lahan_geo", {})
                info.update(path=str(path), sha256=sha, cache="hit")
                return layer
        except Exception:  # a damaged entry is rebuilt, never trusted
            pass
    layer = build()
    layer.attrs.setdefault("lahan_geo", {})["cache"] = "stored"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(layer, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except OSError:  # a read-only or full cache folder only costs speed
        layer.attrs["lahan_geo"]["cache"] = "unwritable"
    return layer


def cached_geometries(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """Return ``build()`` (an array of geometries), from the cache when built before.

    Used for what is derived from a prepared layer and costly to derive again, such
    as its decisive boundaries under a rule set. ``key`` must name everything the
    result depends on (the layer's content hash, the rule outcomes). Geometries are
    stored as plain arrays, never as a pickle of arbitrary objects: coordinates and
    offsets (``shapely.to_ragged_array``, loaded ~50x faster than WKB) when they are
    all of one type, else WKB.
    """
    import numpy as np

    folder = cache_dir()
    if folder is None or key[0] is None:
        return build()
    digest = hashlib.sha256(repr((key, __version__, _FORMAT)).encode()).hexdigest()[:32]
    entry = folder / f"geometries-{digest}.npz"
    if entry.is_file():
        try:
            with np.load(entry, allow_pickle=False) as data:
                return _geometries_from(data)
        except Exception:  # a damaged entry is rebuilt, never trusted
            pass
    geoms = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp.npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **_geometries_to(np.asarray(geoms, dtype=object)))
        os.replace(tmp, entry)
    except (OSError, ValueError):
        pass
    return geoms


#: How derived geometries are laid out on disk (part of their key).
_FORMAT = "ragged-or-wkb-1"


def _geometries_to(geoms: Any) -> dict[str, Any]:
    import numpy as np
    import shapely

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
    import numpy as np
    import shapely

    if "kind" in data:
        offsets = tuple(data[f"offsets{i}"] for i in range(3) if f"offsets{i}" in data)
        geoms = shapely.from_ragged_array(shapely.GeometryType(int(data["kind"][0])),
                                          data["coords"], offsets or None)
        return np.asarray(geoms, dtype=object)
    blob, ends = data["blob"].tobytes(), data["ends"]
    starts = np.concatenate([[0], ends[:-1]])
    wkb = [blob[a:b] for a, b in zip(starts.tolist(), ends.tolist())]
    return np.asarray(shapely.from_wkb(wkb), dtype=object).reshape(-1)
