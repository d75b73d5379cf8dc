"""The incnet command: every subcommand runs, and the numbers it prints are right.

Printed numbers are checked against independent routes: dense solves on small networks, numpy
eigenvalues, and (for the demo on ego-Facebook, too large for a dense inverse) a column solve
against the demo's transposed solve.
"""

import ast
import io
import re
import subprocess
import sys

import networkx as nx
import numpy as np
import pytest

import incnet
from incnet import datasets
from incnet.cli import DEMO_SECTIONS, build_parser, main, run_demo


def run(*argv):
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def table_rows(text, header):
    """Rows (label, numbers...) printed under a table header line."""
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if header in line)
    start = next(k for k in range(start, len(lines)) if "person" in lines[k].split()) + 1
    rows = []
    for line in lines[start:]:
        parts = line.split()
        if len(parts) < 3 or not line.startswith("    "):
            break
        rows.append((parts[0], *[float(p.replace(",", "")) for p in parts[1:]]))
    return rows


def test_datasets_lists_every_name():
    status, text = run("datasets")
    assert status == 0
    listed = [line.split()[0] for line in text.splitlines()]
    assert listed == list(datasets.available())


def test_info_reports_sizes_and_spectral_radius():
    status, text = run("info", "karate")
    assert status == 0
    fields = dict(re.findall(r"^(\S[\w -]*?)\s{2,}(.+)$", text, flags=re.M))
    assert fields["nodes"] == "34" and fields["edges"].startswith("78")
    rho = float(fields["spectral radius"].split()[0])
    A = nx.to_numpy_array(nx.karate_club_graph(), weight=None)
    assert rho == pytest.approx(np.max(np.abs(np.linalg.eigvals(A))), abs=1e-4)


def test_info_on_directed_data_with_self_loops():
    status, text = run("info", "email-eu-core")
    assert status == 0
    assert re.search(r"self-loops\s+642", text)
    assert re.search(r"links in W\s+24,929", text)  # 25,571 edges minus 642 self-loops
    assert re.search(r"components\s+20 \(weak\)", text)
    assert "department" in text


@pytest.mark.parametrize("plain", [False, True])
def test_payoffs_match_a_dense_solve(plain):
    a, reward = 0.1, 1000.0
    argv = ["payoffs", "karate", "--node", "33", "--altruism", str(a), "--top", "34"]
    status, text = run(*argv, *(["--plain"] if plain else []))
    assert status == 0
    A = nx.to_numpy_array(nx.karate_club_graph(), weight=None)
    W = a * A if plain else a * A / A.sum(axis=1, keepdims=True)
    gain = reward * np.linalg.solve(np.eye(34) - W, np.eye(34)[:, 33])
    rows = table_rows(text, "who else gains most")
    assert len(rows) == 33
    for label, contacts, printed in rows:
        i = int(label)
        assert contacts == A[i].sum()
        assert printed == pytest.approx(gain[i], abs=0.051)
    # ranked from the largest gain down (ties may fall either way)
    assert {int(r[0]) for r in rows} == set(range(33))
    assert all(first[2] >= second[2] for first, second in zip(rows, rows[1:]))
    total = float(re.search(r"total value created: ([\d,.]+)", text).group(1).replace(",", ""))
    assert total == pytest.approx(gain.sum(), abs=0.051)
    own = float(re.search(r"own total payoff: ([\d,.]+)", text).group(1).replace(",", ""))
    assert own == pytest.approx(gain[33], abs=0.051)


def test_payoffs_text_labels():
    status, text = run("payoffs", "florentine", "--node", "Medici", "--altruism", "0.5")
    assert status == 0
    assert "person Medici (6 contacts)" in text


def test_errors_exit_2_with_one_line(capsys):
    # a plain a * A with a above 1 / rho(A) is ill posed; the message says so and how to fix it
    status, _ = run("payoffs", "karate", "--node", "0", "--altruism", "0.5", "--plain")
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("incnet payoffs: error:") and "spectral radius" in err
    status, _ = run("payoffs", "karate", "--node", "zz", "--altruism", "0.5")
    assert status == 2 and "'zz' is not in the network" in capsys.readouterr().err
    status, _ = run("info", "nonexistent")
    assert status == 2 and "unknown dataset" in capsys.readouterr().err
    status, _ = run("payoffs", "karate", "--node", "0", "--altruism", "-0.5")
    assert status == 2 and "altruism must be >= 0" in capsys.readouterr().err
    status, _ = run("payoffs", "karate", "--node", "0", "--altruism", "1.0")
    assert status == 2 and "ill-posed" in capsys.readouterr().err
    for argv in (["payoffs", "karate", "--node", "0", "--altruism", "0.5", "--reward", "0"],
                 ["demo", "--top", "-1"]):
        with pytest.raises(SystemExit) as exit_info:
            run(*argv)
        assert exit_info.value.code == 2


def test_run_demo_prints_every_section_in_order(monkeypatch):
    import incnet.cli

    calls = []

    def section(name):
        def run_section(args, out):
            calls.append(name)
            print(f"body of {name}", file=out)
        return run_section

    titles = [title for title, _ in DEMO_SECTIONS]
    monkeypatch.setattr(incnet.cli, "DEMO_SECTIONS", tuple((t, section(t)) for t in titles))
    out = io.StringIO()
    assert run_demo(build_parser().parse_args(["demo"]), out) == 0
    text = out.getvalue()
    assert calls == titles
    positions = [text.index(title) for title in titles]
    assert positions == sorted(positions)
    assert all(text.index(f"body of {t}") > text.index(t) for t in titles)


def test_demo_payoff_section_prints_consistent_numbers():
    from incnet.cli import _demo_payoffs

    args = build_parser().parse_args(["demo", "--top", "3"])
    out = io.StringIO()
    _demo_payoffs(args, out)
    text = out.getvalue()
    net = datasets.load("ego-facebook", as_network=True)
    W = net.row_normalized(0.5)
    degrees = net.degrees()
    hub = int(np.argmax(degrees))
    assert f"paid to person {hub} ({degrees[hub]:,} contacts)" in text
    # The demo's value per unit comes from one transposed solve; a column solve per person is
    # the independent route.
    for label, contacts, value in table_rows(text, "value per unit"):
        column = incnet.payoff_influence(W, int(label), method="krylov", tol=1e-12).u
        assert contacts == degrees[int(label)]
        assert value == pytest.approx(column.sum(), abs=0.006)
    total = float(re.search(r"total value created: ([\d,.]+)", text).group(1).replace(",", ""))
    assert total == pytest.approx(1000 * incnet.payoff_influence(W, hub).u.sum(), rel=1e-6)
    lonely = int(re.search(r"(\d+) of the recipient's friends have no other friend", text).group(1))
    G = datasets.load("ego-facebook")
    assert lonely == sum(1 for v in G[hub] if G.degree(v) == 1)


def test_python_dash_m_and_version():
    done = subprocess.run([sys.executable, "-m", "incnet", "datasets"], capture_output=True,
                          text=True, check=True)
    assert done.stdout.split()[0] == "ego-facebook"
    with pytest.raises(SystemExit) as exit_info:
        run("--version")
    assert exit_info.value.code == 0


def test_readme_example_runs_and_prints_what_it_says():
    import pathlib

    readme = pathlib.Path(__file__).resolve().parents[1] / "README.md"
    blocks = re.findall(r"```python\n(.*?)```", readme.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        exec(compile(blocks[0], "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == "True True"
    assert lines[1] == "49.26"
    first, *others = ast.literal_eval(lines[2])
    # the others have the recipient as their only friend
    G = datasets.load("ego-facebook")
    assert first == 107 and all(set(G[v]) == {107} for v in others)


def test_closed_pipe_ends_quietly():
    # `incnet payoffs ... | head -3`: the reader goes away after a few lines
    proc = subprocess.Popen([sys.executable, "-m", "incnet", "payoffs", "ego-facebook", "--node",
                             "107", "--top", "2000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    status = proc.wait(timeout=300)
    assert first.startswith(b"ego-facebook")
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert status in (0, 1)


def test_every_subcommand_explains_itself():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert set(commands) == {"demo", "datasets", "info", "payoffs", "compile"}
    for name, sub in commands.items():
        text = sub.format_help()
        assert sub.description and len(sub.description) > 60, name
        assert sub.description.split()[0] in text


def test_payoffs_defaults_match_the_demo():
    demo = build_parser().parse_args(["demo"])
    payoffs = build_parser().parse_args(["payoffs", "karate"])
    assert payoffs.altruism == demo.altruism and payoffs.reward == demo.reward
    status, text = run("payoffs", "karate")
    hub = int(np.argmax(datasets.load("karate", as_network=True).degrees()))
    assert status == 0 and f"paid to person {hub} " in text


def test_compile_command_reports_each_group(monkeypatch):
    import incnet._compile

    calls = []
    monkeypatch.setattr(incnet._compile, "ENTRY_POINTS",
                        (("first group", lambda: calls.append(1)), ("second", lambda: calls.append(2))))
    status, text = run("compile")
    assert status == 0 and calls == [1, 2]
    assert re.search(r"first group\s+\d+\.\d s", text) and "kernels are cached in" in text


def test_demo_without_matplotlib_prints_its_tables_and_says_how_to_plot(monkeypatch, tmp_path):
    import importlib.util

    from incnet.cli import _demo_darpa

    import incnet.cli

    monkeypatch.setattr(incnet.cli, "_design_options",
                        lambda: dict(n_runs=30, n_validation=200, max_rounds=1, polish_rounds=0))
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    args = build_parser().parse_args(["demo", "--runs", "40", "--plot", str(tmp_path / "x.png")])
    out = io.StringIO()
    _demo_darpa(args, out)
    text = out.getvalue()
    assert "pip install 'incnet[plot]'" in text and not (tmp_path / "x.png").exists()
    # the words under the table are the table's numbers
    rows = {}
    for line in text.splitlines():
        match = re.match(r"\s{4}(.+?)\s{2,}[\d,]+\s+(\d\.\d\d) \[.*?\]\s+(?:[\d.]+ h|not reached)"
                         r"\s+([\d,]+)", line)
        if match:
            rows[match.group(1).strip()] = (float(match.group(2)), int(match.group(3).replace(",", "")))
    finder = rows["finder only ($4000)"]
    halving = rows["recursive halving (MIT)"]
    said = re.search(r"reaching ([\d,]+) people on\s+average and all ten targets in (\d+)%", text)
    assert int(said.group(1).replace(",", "")) == finder[1]
    assert abs(int(said.group(2)) - 100 * finder[0]) <= 1  # the table prints 2 decimals
    said = re.search(r"depth: ([\d,]+) people take part and all ten\s+targets are found in (\d+)%",
                     text)
    assert int(said.group(1).replace(",", "")) == halving[1]
