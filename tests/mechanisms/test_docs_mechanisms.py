"""The theory page's property tables are what mechanism_report prints.

The tutorial's examples run as doctests in tests/test_docs.py.
"""

import pathlib

from incnet.mechanisms import (
    AlmostUniformScheme,
    DirectReferral,
    FinderOnly,
    FixedSchedule,
    GeometricMLM,
    LengthDiscountedSplit,
    RecursiveSplit,
    SplitContract,
    TopDownSplit,
    mechanism_report,
)

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


def test_theory_table_is_what_mechanism_report_prints():
    mechs = [FinderOnly(2000), RecursiveSplit(2000, 0.5), RecursiveSplit(2000, 0.5, max_depth=4),
             FixedSchedule([1000, 500, 250]), GeometricMLM(0.5, 0.5), SplitContract(4000, 0.5),
             TopDownSplit(4000, 0.5), DirectReferral(2000, 200, 8), LengthDiscountedSplit(2000, 0.5),
             AlmostUniformScheme(0.125, 8)]
    table = mechanism_report(mechs, n_random=0).table("rst")
    assert table in (DOCS / "theory" / "mechanisms.rst").read_text(encoding="utf-8")


def test_theory_costed_sybil_table_is_what_mechanism_report_prints():
    mechs = [GeometricMLM.for_fraction(0.5, 0.5), GeometricMLM(0.25, 0.5, max_depth=3),
             LengthDiscountedSplit(0.5, 0.5), FinderOnly(0.5)]
    report = mechanism_report(mechs, identity_cost=1.0, forests=[([-1], [10.0])], n_random=0)
    assert report.table("rst") in (DOCS / "theory" / "mechanisms.rst").read_text(encoding="utf-8")
