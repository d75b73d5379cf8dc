"""The examples of the documentation pages run and print what the pages say.

Docstring examples run as doctests through pytest's --doctest-modules; this covers the
hand-written pages: their ``pycon`` blocks are doctests, and the home page's Python block runs.
"""

import doctest
import pathlib
import re

import pytest

from tests.rounding import edge_checked_round

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.IGNORE_EXCEPTION_DETAIL


def code_blocks(path, language):
    """The bodies of the ``.. code-block:: <language>`` directives of an rst page, dedented."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, k = [], 0
    while k < len(lines):
        if lines[k].strip() == f".. code-block:: {language}":
            k += 1
            body = []
            while k < len(lines) and (not lines[k].strip() or lines[k].startswith("   ")):
                body.append(lines[k][3:])
                k += 1
            blocks.append("\n".join(body).strip("\n") + "\n")
        else:
            k += 1
    return blocks


# Every hand-written page with examples: the frame's pages, the tutorials and the theory pages.
PAGES = sorted(
    page for page in DOCS.rglob("*.rst")
    if "_build" not in page.parts and "generated" not in page.parts and code_blocks(page, "pycon")
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_pycon_blocks_are_correct_doctests(page):
    text = "\n".join(code_blocks(page, "pycon"))
    globs = {"round": edge_checked_round}  # no printed number on a rounding edge
    test = doctest.DocTestParser().get_doctest(text, globs, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test)
    assert runner.failures == 0, f"{runner.failures} example(s) of {page.name} failed (see output)"


def test_home_page_example_runs():
    (block,) = code_blocks(DOCS / "index.rst", "python")
    namespace = {}
    exec(compile(block, "index.rst", "exec"), namespace)
    assert round(float(namespace["gain"].sum()), 2) == pytest.approx(49.26)


def test_every_page_is_reachable_from_a_toctree():
    # the section indexes glob their folder; the top-level pages are listed on the home page
    home = (DOCS / "index.rst").read_text(encoding="utf-8")
    for page in ("installation", "quickstart", "datasets", "tutorials/index", "theory/index",
                 "reference/index"):
        assert re.search(rf"^\s+{re.escape(page)}$", home, flags=re.M), page
    for section in ("theory", "tutorials", "reference"):
        index = (DOCS / section / "index.rst").read_text(encoding="utf-8")
        assert ":glob:" in index and re.search(r"^\s+\*$", index, flags=re.M)


def test_the_documentation_round_refuses_rounding_edges():
    from tests.rounding import RoundingEdgeError

    with pytest.raises(RoundingEdgeError, match="rounding boundary"):
        edge_checked_round(1999.4975, 0)  # the local optimum that printed 1999 or 2000
    assert edge_checked_round(127 / 200, 2) == round(0.635, 2)  # an exact tie is deterministic
    assert edge_checked_round(0.0475, 3) == 0.048 or edge_checked_round(0.0475, 3) == 0.047
    assert edge_checked_round(3.14159, 2) == 3.14 and edge_checked_round(7, 2) == 7
