"""The README's tour runs and prints what its comments say.

The first Python block (payoffs) is checked in tests/test_cli.py; each of the others runs on its
own, in a fresh namespace, as a reader who copies just that block would run it, and each
``print(...)  # value: words`` must print ``value``.
"""

import contextlib
import io
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_tour_prints_what_its_comments_claim():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    checked = 0
    for block in blocks[1:]:
        namespace = {}
        expected = [
            line.split("#", 1)[1].split(":", 1)[0].strip()
            for line in block.splitlines()
            if line.startswith("print(") and "#" in line
        ]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, "README.md", "exec"), namespace)
        printed = [line.strip() for line in out.getvalue().splitlines()]
        assert printed == expected
        checked += len(expected)
    assert checked >= 5


def test_readme_states_the_install_routes_and_the_suite_duration():
    text = README.read_text(encoding="utf-8")
    assert "pip install" in text and "make test" in text and "make demo" in text
    assert re.search(r"test suite takes about \d+ minutes", text)
