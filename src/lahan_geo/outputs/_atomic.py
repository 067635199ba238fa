"""Checked, atomic output paths shared by every writer.

A writer never leaves half a file behind: it writes to a hidden temporary file in the
target directory and moves it into place with :func:`os.replace` only when writing
succeeded. Before that, :func:`check_output_path` refuses suffixes the writer does
not produce, an existing file when overwriting is off, and any path equal to an input
the caller asked to protect. A symbolic link at the final path is replaced, never
followed: its target is left as it was.

:func:`describe_os_error` turns an operating-system failure (disk full, permission
denied, name too long, ...) into one sentence with the fix that fits it.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> target = check_output_path(folder / "hasil.csv", (".csv",))
>>> with atomic_path(target) as tmp:
...     _ = tmp.write_text("plot_id")
>>> target.read_text()
'plot_id'
>>> sorted(p.name for p in folder.iterdir())
['hasil.csv']
>>> import shutil; shutil.rmtree(folder)

"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from lahan_geo.errors import InputError

__all__ = [
    "LOCK_NAME",
    "OutputSet",
    "PathLike",
    "atomic_path",
    "check_output_path",
    "deferred_signals",
    "describe_os_error",
    "is_temp_leftover",
    "output_set",
    "recorded_inputs",
    "sweep_leftovers",
]

PathLike = str | os.PathLike[str]


def _same_file(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def recorded_inputs(result: Any) -> list[str]:
    """Return the input files a screening result records in its provenance.

    The writers refuse to write over these even when the caller passes no
    ``protect=``: an export must never replace the plot list or a layer it came from.

    Examples
    --------
    >>> class R:
    ...     attrs = {"lahan_geo": {"plots": {"source_file": "usulan.csv"},
    ...                            "layers": {"forest": {"path": "hutan.gpkg"}}}}
    >>> recorded_inputs(R())
    ['usulan.csv', 'hutan.gpkg']
    """
    info = getattr(result, "attrs", {}).get("lahan_geo", {}) or {}
    found: list[str] = []
    plots = info.get("plots", {}) or {}
    for value in (plots.get("source_file"), *(plots.get("source_files") or [])):
        if isinstance(value, str) and value and not value.startswith("<"):
            found.append(value)
    for layer in (info.get("layers") or {}).values():
        path = layer.get("path") if isinstance(layer, dict) else None
        if isinstance(path, str) and path:
            found.append(path)
    rules = info.get("rules_path")
    if isinstance(rules, str) and rules and not rules.startswith("lahan_geo/"):
        found.append(rules)
    return list(dict.fromkeys(found))


def check_output_path(
    path: PathLike,
    suffixes: tuple[str, ...],
    *,
    overwrite: bool = True,
    protect: Iterable[PathLike] = (),
) -> Path:
    """Validate an output path and return it as an absolute :class:`~pathlib.Path`.

    Parameters
    ----------
    path : str or os.PathLike
        Where the output goes.
    suffixes : tuple of str
        Accepted suffixes, lower case with the dot (``(".xlsx",)``).
    overwrite : bool, default True
        When False, refuse a path that already exists.
    protect : iterable of path-like, default ()
        Paths that must never be overwritten (the inputs of the run).

    Returns
    -------
    pathlib.Path
        The resolved path. A missing parent folder is created.

    Raises
    ------
    InputError
        Wrong suffix, an existing file with ``overwrite=False``, a folder, or a protected path.

    Examples
    --------
    >>> check_output_path("hasil.txt", (".xlsx",))
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: Output path 'hasil.txt' has suffix '.txt'; ...
    >>> check_output_path("plots.csv", (".csv",), protect=["plots.csv"])
    Traceback (most recent call last):
    ...
    lahan_geo.errors.InputError: Output path 'plots.csv' is one of the input files; ...

    """
    raw = Path(path).expanduser()
    suffix = raw.suffix.lower()
    if suffix not in suffixes:
        wanted = " or ".join(suffixes)
        msg = (
            f"Output path '{path}' has suffix '{raw.suffix}'; this writer produces {wanted}. "
            f"Fix: name the file like '{raw.stem or 'hasil'}{suffixes[0]}'."
        )
        raise InputError(msg)
    # The folder is resolved, the last name is not: a symbolic link planted at the final
    # path is replaced by the new file (os.replace), its target is never written.
    target = raw.parent.resolve() / raw.name
    for protected in protect:
        if _same_file(target, Path(protected).expanduser().resolve()):
            msg = (
                f"Output path '{path}' is one of the input files; writing it would destroy "
                "the input. Fix: choose another output name or folder."
            )
            raise InputError(msg)
    if target.is_dir() and not target.is_symlink():
        msg = f"Output path '{path}' is a folder. Fix: give a file name ending in {suffixes[0]}."
        raise InputError(msg)
    if (target.exists() or target.is_symlink()) and not overwrite:
        msg = (
            f"Output file '{path}' already exists and overwrite=False. "
            "Fix: choose another name, delete the file, or pass overwrite=True."
        )
        raise InputError(msg)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(describe_os_error(err, err.filename or target.parent)) from err
    return target


_FIXES = {
    errno.ENOSPC: "free space on that disk (or choose an output folder on another disk)",
    errno.EDQUOT: "free space within your disk quota (or choose another output folder)",
    errno.EFBIG: "the file is larger than this system allows; choose another disk or "
                 "raise the file size limit (ulimit -f)",
    errno.EACCES: "choose a folder you may write to, or ask its owner for write permission",
    errno.EPERM: "choose a folder you may write to, or ask its owner for write permission",
    errno.EROFS: "the disk is read-only; choose an output folder on a writable disk",
    errno.ENAMETOOLONG: "use a shorter folder or file name (each name at most 255 bytes)",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another output folder",
    errno.EISDIR: "a folder has the name of an output file; rename or remove that folder",
    errno.ELOOP: "the path holds a symbolic link loop or a refused link; remove the link",
    errno.EXDEV: "keep the output folder on one disk",
}


def describe_os_error(err: OSError, path: PathLike | None = None) -> str:
    """Return one sentence naming the failed path, the reason and the fix for ``err``.

    Parameters
    ----------
    err : OSError
        The failure, as raised by the operating system.
    path : path-like, optional
        The path to name when ``err`` carries none.

    Returns
    -------
    str
        ``"Cannot write '<path>': <reason>. Fix: <what to do>."`` on one line.

    Examples
    --------
    >>> describe_os_error(OSError(errno.ENOSPC, "No space left on device"), "hasil/a.gpkg")
    "Cannot write 'hasil/a.gpkg': No space left on device. Fix: free space on that disk ..."
    >>> describe_os_error(OSError(errno.ENAMETOOLONG, "File name too long", "x" * 3))
    "Cannot write 'xxx': File name too long. Fix: use a shorter folder or file name ..."

    """
    where = path if path is not None else err.filename
    fix = _FIXES.get(err.errno or -1, (
        "close the file if another program holds it open (Excel locks open workbooks) "
        "and check the folder is writable"))
    reason = " ".join(str(err.strerror or err).split())
    named = f" '{where}'" if where is not None else ""
    return f"Cannot write{named}: {reason}. Fix: {fix}."


_TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{12}\.tmp(\.[A-Za-z0-9]+)?(-journal|-wal|-shm)?")


def is_temp_leftover(name: str) -> bool:
    """Return True for a name :func:`atomic_path` gives its temporary files.

    Examples
    --------
    >>> is_temp_leftover(".detail_A[1].0123456789ab.tmp.png"), is_temp_leftover("a.png")
    (True, False)
    >>> is_temp_leftover(".hasil_screening.0123456789ab.tmp.gpkg-journal")
    True

    """
    return _TEMP_NAME.fullmatch(name) is not None


def _leftovers(tmp: Path) -> list[Path]:
    # GDAL may create side files next to a GeoPackage (journal, -wal, -shm). The folder
    # is listed, not globbed: a name holding '[' or '*' is no pattern.
    try:
        names = os.listdir(tmp.parent)
    except OSError:
        return []
    return [tmp.parent / n for n in names if n.startswith(tmp.name)]


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` on success.

    The temporary name keeps the target's suffix, so writers that infer the format from
    the suffix (GDAL, matplotlib) behave as for the real name. On any exception the
    temporary file and its side files are removed and the exception propagates; an
    existing ``target`` is left untouched.

    Parameters
    ----------
    target : pathlib.Path
        The final path, normally from :func:`check_output_path`.

    Yields
    ------
    pathlib.Path
        A path in the same folder that does not exist yet.

    Raises
    ------
    InputError
        When the operating system refuses the write or the final move.

    """
    tmp = target.with_name(f".{target.stem}.{secrets.token_hex(6)}.tmp{target.suffix}")
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as err:
        for leftover in _leftovers(tmp):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if isinstance(err, OSError):
            raise InputError(describe_os_error(err, target)) from err
        raise
    for leftover in _leftovers(tmp):
        with contextlib.suppress(OSError):
            leftover.unlink()


# ---------------------------------------------------------------- a set of outputs

#: Name of the lock file a run holds in its output folder (removed when the run ends).
LOCK_NAME = ".lahan-geo.lock"
_STAGE_PREFIX = ".lahan-geo-run-"
_OLD_PREFIX = ".lahan-geo-old-"
_LOCK_TRIES = 5


def _remove(path: Path) -> None:
    """Remove a file, a link (never its target) or a folder tree; ignore what is gone."""
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _lock(folder: Path) -> int | None:
    """Take the run lock of ``folder``; raise a one-line InputError when another run holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, run unlocked
        return None
    path = folder / LOCK_NAME
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_LOCK_TRIES):
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as err:
            raise InputError(describe_os_error(err, path)) from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 20).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (process {holder})" if holder.isdigit() else ""
            msg = (f"Another lahan-geo run{who} is writing into '{folder}'. Fix: wait until it "
                   "has finished, or give this run another --out folder.")
            raise InputError(msg) from None
        except OSError:  # a file system without locks (some network shares): run unlocked
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(path)
            return None
        # An earlier holder removes the file when it ends: the file locked must still be
        # the one at the path, or a third run could lock a new file beside us.
        try:
            same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode("ascii"))
            return fd
        os.close(fd)
    msg = f"Cannot lock the output folder '{folder}'. Fix: run again."  # pragma: no cover
    raise InputError(msg)  # pragma: no cover


def _unlock(folder: Path, fd: int | None) -> None:
    if fd is None:
        return
    with contextlib.suppress(OSError):
        os.unlink(folder / LOCK_NAME)  # removed while still held: see _lock
    os.close(fd)


def sweep_leftovers(folder: Path, subfolders: Iterable[str] = ()) -> int:
    """Remove what killed runs left in ``folder``; return how many entries were removed.

    Removed: staging and old-set folders of :func:`output_set`, and temporary files of
    :func:`atomic_path` (also in ``subfolders``, when they are real folders). Names are
    compared, never used as glob patterns, so ``[`` or ``*`` in a name change nothing.
    Call it only while holding the folder's lock.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / ".lahan-geo-run-x[1]").mkdir()
    >>> _ = (folder / ".detail_A[1].0123456789ab.tmp.png").write_bytes(b"")
    >>> _ = (folder / "detail_A[1].png").write_bytes(b"")
    >>> sweep_leftovers(folder), sorted(p.name for p in folder.iterdir())
    (2, ['detail_A[1].png'])
    >>> import shutil; shutil.rmtree(folder)

    """
    removed = 0
    places = [folder] + [folder / name for name in subfolders]
    for place in places:
        if place != folder and (place.is_symlink() or not place.is_dir()):
            continue
        with os.scandir(place) as entries:
            names = [e.name for e in entries]
        for name in names:
            ours = is_temp_leftover(name) or (
                place == folder and name.startswith((_STAGE_PREFIX, _OLD_PREFIX)))
            if ours:
                _remove(place / name)
                removed += 1
    return removed


@contextlib.contextmanager
def _signals_as_interrupt() -> Iterator[None]:
    """Let SIGTERM raise KeyboardInterrupt, so that clean-up code runs as for Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then deliver the first one caught.

    Outside the main thread (where Python cannot set handlers) the block runs as is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: object) -> None:
        caught.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            signal.raise_signal(caught[0])


class OutputSet:
    """The staging folder of one run; :meth:`commit` moves its content into place.

    Made by :func:`output_set`; write every output under :attr:`path`, with the same
    relative names as in the final folder.
    """

    def __init__(self, folder: Path, stage: Path, owned: tuple[str, ...],
                 protect: Iterable[PathLike], swept: int) -> None:
        self.folder = folder
        self.path = stage
        self.owned = owned
        self.protect = [Path(p) for p in protect]
        self.swept = swept
        self.committed = False

    def final(self, name: str) -> Path:
        """Return the final path of ``name`` (a name under :attr:`path`)."""
        return self.folder / name

    def _names(self) -> list[str]:
        staged = sorted(os.listdir(self.path))
        order = [n for n in self.owned if n in staged or os.path.lexists(self.folder / n)]
        return order + [n for n in staged if n not in order]

    def _check(self, names: list[str]) -> None:
        for name in names:
            final = self.final(name)
            for protected in self.protect:
                if _same_file(final, protected.expanduser().resolve()):
                    msg = (f"Output '{final}' is one of the input files; writing it would "
                           "destroy the input. Fix: choose another --out folder.")
                    raise InputError(msg)
            new_is_dir = (self.path / name).is_dir()
            if final.is_dir() and not final.is_symlink() and not new_is_dir:
                raise InputError(describe_os_error(
                    OSError(errno.EISDIR, "Is a directory"), final))

    def commit(self) -> list[Path]:
        """Replace the folder's earlier outputs with the staged ones, as one step.

        Every staged entry and every owned name already in the folder is moved away first,
        then the staged entries are moved in; SIGINT and SIGTERM wait until the swap is
        done. A failing move puts the earlier set back. The earlier outputs are deleted
        only afterwards. Symbolic links at final paths are moved away, never followed.

        Returns
        -------
        list of pathlib.Path
            The final paths of the staged entries.

        """
        names = self._names()
        self._check(names)
        staged = set(os.listdir(self.path))
        old = Path(tempfile.mkdtemp(prefix=_OLD_PREFIX, dir=self.folder))
        moved: list[str] = []
        placed: list[str] = []
        try:
            with deferred_signals():
                try:
                    for name in names:
                        if os.path.lexists(self.final(name)):
                            os.rename(self.final(name), old / name)
                            moved.append(name)
                        if name in staged:
                            os.rename(self.path / name, self.final(name))
                            placed.append(name)
                except OSError as err:
                    for name in reversed(placed):
                        with contextlib.suppress(OSError):
                            os.rename(self.final(name), self.path / name)
                    for name in reversed(moved):
                        with contextlib.suppress(OSError):
                            os.rename(old / name, self.final(name))
                    raise InputError(describe_os_error(err)) from err
                self.committed = True
        finally:  # also when a signal held during the swap is delivered at its end
            _remove(old)
        return [self.final(n) for n in names if n in staged]


@contextlib.contextmanager
def output_set(
    folder: PathLike, owned: Iterable[str] = (), *, protect: Iterable[PathLike] = ()
) -> Iterator[OutputSet]:
    """Lock ``folder``, yield a staging folder inside it, and clean up whatever happens.

    The lock is an exclusive :func:`fcntl.flock` on ``folder/.lahan-geo.lock``: a second
    run into the same folder fails at once with a one-line :class:`InputError` naming the
    folder (a screening can take minutes; waiting silently would hang a script). Leftovers
    of killed runs are swept first. Nothing reaches the final names before
    :meth:`OutputSet.commit`; without a commit (an error, Ctrl-C, SIGTERM) the staging
    folder is removed and the earlier outputs stay as they were. A folder created here
    and left empty is removed again.

    Parameters
    ----------
    folder : path-like
        The output folder; created when missing.
    owned : iterable of str
        Names in ``folder`` that belong to the set (files or folders such as
        ``peta_detail``), in the order they are swapped; an owned name the new set does not
        contain is removed at commit.
    protect : iterable of path-like
        Input files no final path may be.

    Yields
    ------
    OutputSet
        Its ``path`` is the staging folder (same disk, so every move is a rename).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "hasil"
    >>> with output_set(folder, ["a.txt"]) as run:
    ...     _ = (run.path / "a.txt").write_text("baru")
    ...     _ = run.commit()
    >>> sorted(p.name for p in folder.iterdir()), (folder / "a.txt").read_text()
    (['a.txt'], 'baru')
    >>> import shutil; shutil.rmtree(folder.parent)

    """
    target = Path(folder).expanduser()
    created = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(describe_os_error(err, err.filename or target)) from err
    owned = tuple(owned)
    fd = _lock(target)
    stage: Path | None = None
    run: OutputSet | None = None
    try:
        swept = sweep_leftovers(target, owned)
        stage = Path(tempfile.mkdtemp(prefix=_STAGE_PREFIX, dir=target))
        run = OutputSet(target, stage, owned, protect, swept)
        with _signals_as_interrupt():
            yield run
    finally:
        if stage is not None:
            _remove(stage)
        _unlock(target, fd)
        if created and not (run is not None and run.committed):
            with contextlib.suppress(OSError):
                target.rmdir()  # only when empty
