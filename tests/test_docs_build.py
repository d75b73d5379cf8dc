"""The built documentation works offline: every page that shows mathematics loads MathJax from
the site itself, and the local copy is there.

The HTML is built by ``make docs``, which runs this module afterwards with ``INCNET_DOCS_BUILT=1``
so that a missing build fails; in a plain ``pytest`` run without a build it is skipped.
"""

import os
import pathlib
import re

import pytest

HTML = pathlib.Path(__file__).resolve().parents[1] / "docs" / "_build" / "html"
REQUIRED = os.environ.get("INCNET_DOCS_BUILT") == "1"


def pages():
    if not (HTML / "index.html").exists():
        if REQUIRED:
            pytest.fail(f"no built documentation in {HTML}; run `make docs`")
        pytest.skip("documentation not built (make docs builds it and runs this check)")
    return sorted(HTML.rglob("*.html"))


def test_mathematics_renders_without_network():
    with_math = 0
    for page in pages():
        text = page.read_text(encoding="utf-8")
        for src in re.findall(r'<script[^>]+src="([^"]+)"', text):
            assert not src.startswith(("http://", "https://", "//")), (page, src)
        if "\\(" in text or "\\[" in text or 'class="math' in text:
            with_math += 1
            mathjax = re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*\.js)[^"]*"', text)
            assert mathjax, f"{page} shows mathematics but loads no MathJax"
            for src in mathjax:
                local = (page.parent / src.split("?")[0]).resolve()
                assert local.is_file() and local.stat().st_size > 100_000, (page, src)
    assert with_math >= 5  # the theory pages at least


def test_no_page_fetches_anything_from_the_network():
    for page in pages():
        text = page.read_text(encoding="utf-8")
        for attr in re.findall(r'<(?:link|img|script)[^>]+(?:href|src)="(https?://[^"]+)"', text):
            raise AssertionError(f"{page} loads {attr}")
