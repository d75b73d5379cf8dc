"""The decorator every kernel is compiled with: numba's ``njit`` and a disk cache that works
wherever incnet is installed.

numba caches compiled kernels next to their source (``__pycache__``) or in the user's cache
directory, and refuses to compile a ``cache=True`` function at all when neither is writable: a
wheel installed read-only on a cluster, in a container or a CI image, run by a user without a
writable home. This module keeps numba's own locations first and adds two things:

* a last location, a private directory of the current user under the system's temporary
  directory (created with mode 0700 and used only if the user owns it), and compilation without
  a cache when even that fails, each announced by one warning;
* entries that are checked before they are trusted. Every data file carries a SHA-256 digest of
  its bytes and the key it was written for, so a truncated or flipped file, or an entry that
  another process overwrote for a different signature, is recompiled with a warning instead of
  crashing or failing on every call; a write that fails leaves the kernel usable.

It also says once per process, on standard error, that kernels are being compiled (the first
use on a machine takes seconds to minutes), and how to compile them ahead of time.

One rule for kernel authors: a cached kernel that calls a ``parallel=True`` kernel must itself be
``parallel=True``. numba caches each kernel separately, and a serial caller compiled while its
parallel callee is loaded from the cache (a new signature, a healed entry, a process that was
killed mid-compile) writes an entry that crashes every later process that loads it (numba issues
4807 and 8578). ``tests/test_kernel_cache.py`` enforces the rule.

``NUMBA_CACHE_DIR`` chooses the cache directory as usual; ``INCNET_COMPILE_NOTICE=0`` silences
the notice.
"""

import functools
import hashlib
import os
import pickle
import stat
import sys
import tempfile
import threading
import warnings

import numba
from numba.core import caching, event

__all__ = ["njit", "cache_directory"]

_PACKAGE_PREFIX = __name__.rsplit(".", 1)[0]  # "incnet._kernels"
_DIGEST_SIZE = hashlib.sha256().digest_size
_announce_lock = threading.Lock()
_announced = set()  # what has been said in this process: "compile", "fallback", "nocache"


def _say_once(what, message, *, warn):
    with _announce_lock:
        if what in _announced:
            return
        _announced.add(what)
    if warn:
        warnings.warn(message, RuntimeWarning, stacklevel=_caller_outside_numba())
    else:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def _caller_outside_numba():
    """The ``stacklevel`` (for a warning issued by ``_say_once``) of the first frame that is
    neither numba's, this package's kernels' nor the import machinery's: the incnet function
    that needed the kernel, rather than numba's internals."""
    frame, level = sys._getframe(2), 2
    while frame is not None:
        filename = frame.f_code.co_filename
        if "importlib" in filename and "_bootstrap" in filename:
            frame = frame.f_back  # the warnings module does not count these frames either
            continue
        if not frame.f_globals.get("__name__", "").startswith(("numba", _PACKAGE_PREFIX)):
            break
        frame, level = frame.f_back, level + 1
    return level


def _private_temp_root():
    """A cache root of the current user's own in the temporary directory, or None if unsafe."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    root = os.path.join(tempfile.gettempdir(), f"incnet-numba-cache-{uid}")
    try:
        os.makedirs(root, mode=0o700, exist_ok=True)
        info = os.lstat(root)
    except OSError:
        return None
    # Cached kernels are unpickled machine code: never trust a directory someone else controls.
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != uid):
        return None
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return root


class _PrivateTempLocator(caching._SourceFileBackedLocatorMixin, caching._CacheLocator):
    """The last resort: the current user's private directory under the temporary directory."""

    def __init__(self, py_func, py_file, root):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = os.path.join(root, self.get_suitable_cache_subpath(py_file))

    def get_cache_path(self):
        return self._cache_path

    @classmethod
    def from_function(cls, py_func, py_file):
        root = _private_temp_root()
        if root is None or not os.path.exists(py_file):
            return None
        self = cls(py_func, py_file, root)
        try:
            self.ensure_cache_path()
        except OSError:
            return None
        _say_once(
            "fallback",
            "incnet: neither the package directory nor the user cache directory is writable, "
            f"so compiled kernels are cached in {root}. Set NUMBA_CACHE_DIR to a writable "
            "directory to choose where (see the installation notes).",
            warn=True,
        )
        return self


class _CheckedIndexDataCacheFile(caching.IndexDataCacheFile):
    """numba's index and data files, with each data file checked before it is unpickled."""

    def save(self, key, data):
        super().save(key, (key, data))

    def load(self, key):
        entry = super().load(key)
        if entry is None:
            return None
        stored_key, data = entry
        if stored_key != key:
            raise _CorruptEntry("the entry was written for another signature")
        return data

    def _load_index(self):
        try:
            return super()._load_index()
        except FileNotFoundError:
            return {}
        except Exception:  # a truncated or garbled index: start it again
            return {}

    def _dump(self, obj):
        payload = super()._dump(obj)
        return hashlib.sha256(payload).digest() + payload

    def _save_index(self, overloads):
        # The index is written by numba's own format (version, then the dumped stamp and
        # overloads); only data files carry the digest.
        data = caching.dumps((self._source_stamp, overloads))
        with self._open_for_write(self._index_path) as f:
            pickle.dump(self._version, f, protocol=-1)
            f.write(data)

    def _load_data(self, name):
        with open(self._data_path(name), "rb") as f:
            raw = f.read()
        digest, payload = raw[:_DIGEST_SIZE], raw[_DIGEST_SIZE:]
        if len(raw) <= _DIGEST_SIZE or hashlib.sha256(payload).digest() != digest:
            raise _CorruptEntry("its checksum does not match (truncated or altered)")
        return pickle.loads(payload)


class _CorruptEntry(Exception):
    pass


class _KernelCacheImpl(caching.CompileResultCacheImpl):
    _locator_classes = [
        caching.UserProvidedCacheLocator,
        caching.InTreeCacheLocator,
        caching.UserWideCacheLocator,
        _PrivateTempLocator,
    ]


class _KernelCache(caching.FunctionCache):
    """A function cache that heals: a bad entry is recompiled, a failed write is survived."""

    _impl_class = _KernelCacheImpl

    def __init__(self, py_func):
        super().__init__(py_func)
        self._cache_file = _CheckedIndexDataCacheFile(
            cache_path=self._cache_path,
            filename_base=self._impl.filename_base,
            source_stamp=self._impl.locator.get_source_stamp(),
        )

    def load_overload(self, sig, target_context):
        try:
            return super().load_overload(sig, target_context)
        except Exception as exc:  # noqa: BLE001 - any failure to load means: compile again
            reason = exc if isinstance(exc, _CorruptEntry) else f"{type(exc).__name__}: {exc}"
            warnings.warn(
                f"incnet: the cached kernel {self._py_func.__qualname__} in {self._cache_path} "
                f"could not be used ({reason}); it is compiled again and the entry replaced.",
                RuntimeWarning,
                stacklevel=2,
            )
            return None

    def save_overload(self, sig, data):
        try:
            super().save_overload(sig, data)
        except OSError as exc:
            warnings.warn(
                f"incnet: the compiled kernel {self._py_func.__qualname__} could not be written "
                f"to {self._cache_path} ({exc}); it stays compiled for this process only.",
                RuntimeWarning,
                stacklevel=2,
            )


def _attach_cache(dispatcher):
    try:
        dispatcher._cache = _KernelCache(dispatcher.py_func)
    except RuntimeError:  # no location at all is writable: compile in memory, every process
        _say_once(
            "nocache",
            "incnet: no writable directory for compiled kernels (package, user cache and "
            "temporary directory all refused), so kernels are compiled in every new process. "
            "Set NUMBA_CACHE_DIR to a writable directory to keep them.",
            warn=True,
        )


def njit(*args, **options):
    """``numba.njit`` with incnet's disk cache when ``cache=True``; same call forms."""
    cache = options.pop("cache", False)

    def decorate(func):
        dispatcher = numba.njit(**options)(func)
        if cache and hasattr(dispatcher, "py_func"):  # not under NUMBA_DISABLE_JIT=1
            _attach_cache(dispatcher)
        return dispatcher

    if args and callable(args[0]) and len(args) == 1 and not options:
        return decorate(args[0])
    if args:
        raise TypeError("incnet's njit takes a function or keyword options only")
    return decorate


def cache_directory(dispatcher):
    """Where a kernel's compiled code is cached, or None if it is compiled in memory only."""
    cache = getattr(dispatcher, "_cache", None)
    return getattr(cache, "cache_path", None)


class _CompileNotice(event.Listener):
    """Say once per process, on standard error, that incnet's kernels are being compiled."""

    def on_start(self, ev):
        dispatcher = ev.data.get("dispatcher")
        module = getattr(getattr(dispatcher, "py_func", None), "__module__", "") or ""
        if not module.startswith(_PACKAGE_PREFIX):
            return
        if os.environ.get("INCNET_COMPILE_NOTICE", "1") == "0":
            return
        _say_once(
            "compile",
            "incnet: compiling numba kernels for their first use on this machine (seconds to a "
            "few minutes, once; later runs load them from the cache). Run `incnet compile` to "
            "do this ahead of time, e.g. when building an image.",
            warn=False,
        )

    def on_end(self, ev):
        pass


@functools.lru_cache(maxsize=None)
def _register_notice():
    event.register("numba:compile", _CompileNotice())


_register_notice()
