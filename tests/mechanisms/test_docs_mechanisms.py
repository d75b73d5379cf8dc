"""The mechanisms tutorial's examples run and print what the page says."""

import doctest
import pathlib

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.IGNORE_EXCEPTION_DETAIL


def pycon_blocks(path):
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


def test_tutorial_examples():
    page = DOCS / "tutorials" / "mechanisms.rst"
    text = "\n".join(pycon_blocks(page))
    assert text.count(">>>") > 20
    test = doctest.DocTestParser().get_doctest(text, {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test)
    assert runner.failures == 0, f"{runner.failures} example(s) of {page.name} failed (see output)"


def test_theory_table_is_what_mechanism_report_prints():
    from incnet.mechanisms import (
        DirectReferral,
        FinderOnly,
        FixedSchedule,
        GeometricMLM,
        LengthDiscountedSplit,
        RecursiveSplit,
        SplitContract,
        mechanism_report,
    )

    mechs = [FinderOnly(2000), RecursiveSplit(2000, 0.5), RecursiveSplit(2000, 0.5, max_depth=4),
             FixedSchedule([1000, 500, 250]), GeometricMLM(0.5, 0.5), SplitContract(4000, 0.5),
             DirectReferral(2000, 200, 8), LengthDiscountedSplit(2000, 0.5)]
    table = mechanism_report(mechs, n_random=0).table("rst")
    assert table in (DOCS / "theory" / "mechanisms.rst").read_text(encoding="utf-8")
