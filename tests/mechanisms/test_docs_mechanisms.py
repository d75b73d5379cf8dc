"""The theory page's property table is what mechanism_report prints.

The tutorial's examples run as doctests in tests/test_docs.py.
"""

import doctest
import pathlib

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.IGNORE_EXCEPTION_DETAIL


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
