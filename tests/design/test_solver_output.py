"""No solver writes to the user's standard output (HiGHS prints a banner at C level otherwise)."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCRIPT = """
import networkx as nx, numpy as np, scipy.stats
import incnet
from incnet.design import RecruitmentModel, max_reach, min_cost_activation, optimal_split
from incnet.simulate import ThresholdResponse
net = incnet.IncentiveNetwork.from_networkx(nx.path_graph(6), scale=0.3)
max_reach(net, np.ones(6), 2.0, seeds=[0])
min_cost_activation(net, np.ones(6), [0, 5])
step = RecruitmentModel(scipy.stats.poisson(2.0), ThresholdResponse(0.1, 0.5, 10.0),
                        find_probability=0.05, horizon=2, initial=2)
optimal_split(step, 200.0)
print("only this line")
"""


def test_design_solvers_print_nothing_to_stdout():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "only this line\n"
