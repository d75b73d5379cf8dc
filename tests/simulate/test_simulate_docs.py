"""The simulate tutorial's examples run and print what the page says."""

import doctest
import pathlib

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.IGNORE_EXCEPTION_DETAIL


def pycon_blocks(path):
    """The bodies of the ``.. code-block:: pycon`` directives of an rst page, dedented."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, k = [], 0
    while k < len(lines):
        if lines[k].strip() == ".. code-block:: pycon":
            k += 1
            body = []
            while k < len(lines) and (not lines[k].strip() or lines[k].startswith("   ")):
                body.append(lines[k][3:])
                k += 1
            blocks.append("\n".join(body).strip("\n") + "\n")
        else:
            k += 1
    return blocks


def test_tutorial_examples_are_correct_doctests():
    page = DOCS / "tutorials" / "simulate.rst"
    blocks = pycon_blocks(page)
    assert len(blocks) >= 4
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test)
    assert runner.failures == 0, f"{runner.failures} example(s) of {page.name} failed (see output)"
