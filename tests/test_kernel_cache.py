"""The kernels' disk cache: it works where incnet is read-only, heals from bad entries, and
``incnet compile`` reaches every kernel that the Python layer calls.

Each scenario runs in a fresh interpreter with its own ``NUMBA_CACHE_DIR`` or temporary
directory, so the test suite's own cache is never touched.
"""

import ast
import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
KERNELS = ROOT / "incnet" / "_kernels"
NOTICE = "incnet: compiling numba kernels"

# A small kernel that compiles in about a second: the Erdős–Rényi generator.
SMALL_CALL = """
from incnet.datasets import erdos_renyi_csr
A = erdos_renyi_csr(200, 0.05, rng=3)
print("RESULT", A.nnz)
"""


def run_python(code, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    env.update(env_extra or {})
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600)


def result_of(proc):
    assert proc.returncode == 0, proc.stderr
    (line,) = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    return line


def njit_options(decorator):
    if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "njit":
        return {kw.arg: getattr(kw.value, "value", None) for kw in decorator.keywords}
    return None


def test_cached_callers_of_parallel_kernels_are_parallel():
    # numba issues 4807/8578: a serial cached caller of a parallel kernel can be written into the
    # cache in a form that crashes every later process (see incnet/_kernels/_jit.py).
    for path in KERNELS.glob("[a-z]*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        kernels = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    options = njit_options(decorator)
                    if options is not None:
                        kernels[node.name] = (node, options)
        parallel = {name for name, (_, options) in kernels.items() if options.get("parallel")}
        for name, (node, options) in kernels.items():
            called = {c.func.id for c in ast.walk(node)
                      if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
            if called & parallel and options.get("cache"):
                assert options.get("parallel"), f"{path.name}:{name} calls {called & parallel}"


def test_fallback_cache_when_package_and_home_are_not_writable(tmp_path):
    # Tests may run as root, who can write anywhere; numba's own locations are refused the way a
    # read-only install refuses them, and the temporary directory is this test's.
    code = f"""
    import tempfile, warnings
    tempfile.tempdir = {str(tmp_path)!r}
    from numba.core import caching
    caching.InTreeCacheLocator.from_function = classmethod(lambda cls, f, p: None)
    caching.UserWideCacheLocator.from_function = classmethod(lambda cls, f, p: None)
    warnings.simplefilter("always")
    with warnings.catch_warnings(record=True) as caught:
        from incnet.datasets import erdos_renyi_csr
        A = erdos_renyi_csr(200, 0.05, rng=3)
    print("RESULT", A.nnz)
    print("WARN", sum("compiled kernels are cached in" in str(w.message) for w in caught))
    """
    first = run_python(code)
    assert "WARN 1" in first.stdout
    assert first.stderr.count(NOTICE) == 1
    root = tmp_path / f"incnet-numba-cache-{os.getuid()}"
    assert any(root.rglob("*.nbc")), "nothing was cached in the fallback directory"
    assert (root.stat().st_mode & 0o077) == 0  # private to the user
    second = run_python(code)
    assert result_of(second) == result_of(first)
    assert NOTICE not in second.stderr  # loaded from the fallback cache, not compiled again


def test_fallback_refuses_a_directory_of_someone_else(tmp_path):
    root = tmp_path / f"incnet-numba-cache-{os.getuid()}"
    root.mkdir()
    root.chmod(0o777)  # writable by anyone: cached machine code there could be planted
    code = f"""
    import tempfile
    tempfile.tempdir = {str(tmp_path)!r}
    from incnet._kernels._jit import _private_temp_root
    print("RESULT", _private_temp_root())
    """
    assert result_of(run_python(code)) == "RESULT None"


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage-index"])
def test_a_damaged_entry_is_recompiled_with_a_warning(tmp_path, damage):
    env = {"NUMBA_CACHE_DIR": str(tmp_path)}
    first = run_python(SMALL_CALL, env)
    expected = result_of(first)
    if damage == "garbage-index":
        files = sorted(tmp_path.rglob("*erdos_renyi_kernel*.nbi"))
    else:
        files = sorted(tmp_path.rglob("*erdos_renyi_kernel*.nbc"))
    assert files
    for path in files:
        data = bytearray(path.read_bytes())
        if damage == "flip":
            data[len(data) // 2] ^= 0xFF
        elif damage == "truncate":
            data = data[: len(data) // 3]
        else:
            data = bytearray(b"\x80\x04not a pickle at all")
        path.write_bytes(bytes(data))
    healed = run_python(SMALL_CALL, env)
    assert result_of(healed) == expected
    if damage != "garbage-index":  # an unreadable index is simply a cache miss
        assert "could not be used" in healed.stderr
    assert NOTICE in healed.stderr  # compiled again
    again = run_python(SMALL_CALL, env)
    assert result_of(again) == expected
    assert "could not be used" not in again.stderr and NOTICE not in again.stderr


def entry_kernels():
    """Kernels that the Python layer calls by name (the ones ``incnet compile`` must reach)."""
    names = {}
    outside = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "incnet").rglob("*.py")
                        if KERNELS not in p.parents)
    for path in KERNELS.glob("[a-z]*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and any(
                    njit_options(d) is not None for d in node.decorator_list):
                if re.search(rf"\b{node.name}\b", outside):
                    names.setdefault(path.stem, []).append(node.name)
    return names


@pytest.mark.slow
def test_compile_reaches_every_entry_kernel():
    kernels = entry_kernels()
    assert "payoffs" in kernels and "simulate" in kernels
    code = f"""
    import importlib, json
    from incnet._compile import compile_kernels
    compile_kernels()
    missing = []
    for module, names in {json.dumps(kernels)}.items():
        mod = importlib.import_module("incnet._kernels." + module)
        missing += [module + "." + n for n in names if not getattr(mod, n).signatures]
    print("RESULT", missing)
    """
    assert result_of(run_python(code)) == "RESULT []"


def test_processes_compiling_into_one_cache_at_once_leave_it_sound(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    env.update(NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    racers = [subprocess.Popen([sys.executable, "-c", SMALL_CALL], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outputs = [proc.communicate(timeout=600) for proc in racers]
    assert all(proc.returncode == 0 for proc in racers), [err for _, err in outputs]
    results = {[ln for ln in out.splitlines() if ln.startswith("RESULT")][0] for out, _ in outputs}
    assert len(results) == 1
    after = run_python(SMALL_CALL, {"NUMBA_CACHE_DIR": str(tmp_path)})
    assert result_of(after) in results
    assert "could not be used" not in after.stderr and NOTICE not in after.stderr
