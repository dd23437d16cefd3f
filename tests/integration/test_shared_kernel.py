"""The run's notebooks share one kernel (``fragile_care.run.kernel``): what one notebook
leaves behind must not reach the next."""

import nbformat
import pytest

from fragile_care.run import pipeline
from fragile_care.run.kernel import SharedKernel

pytestmark = pytest.mark.integration

FIRST = """# %% tags=["parameters"]
value = 1

# %%
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import os

leftover = value
mpl.rcParams["lines.linewidth"] = 9.0
warnings.simplefilter("ignore")
plt.figure()
os.chdir("/")
"""

SECOND = """# %% tags=["parameters"]
value = 2

# %%
import os
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt

print(mpl.rcParams["lines.linewidth"], len(plt.get_fignums()), os.getcwd(), value, "__spec__" in globals())
print(any(f[0] == "ignore" and f[1] is None and f[2] is Warning for f in warnings.filters))

# %%
leftover
"""


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    return [c.get("outputs", []) for c in nb.cells if c.cell_type == "code"]


def test_a_notebook_sees_nothing_the_previous_one_left(tmp_path):
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    kernel = SharedKernel(tmp_path, tmp_path / "logs" / "kernel.log")
    try:
        pipeline._execute(first, tmp_path / "first.ipynb", {"value": 1}, tmp_path, kernel=kernel)
        with pytest.raises(Exception, match="NameError"):  # as it would fail in a kernel of its own
            pipeline._execute(second, tmp_path / "second.ipynb", {"value": 2}, tmp_path, kernel=kernel)
    finally:
        kernel.close()
    printed = _outputs(tmp_path / "second.ipynb")
    state = printed[2][0]["text"].splitlines()
    default_width = "1.5"
    assert state[0].split() == [default_width, "0", str(tmp_path), "2", "True"]  # settings, figures, folder back, __main__ intact
    assert state[1] == "False"  # the warning filter the first notebook added is gone
    assert printed[3][0]["ename"] == "NameError"
    # cells are numbered from 1 in each notebook, as in a kernel of its own
    counts = [c.get("execution_count") for c in nbformat.read(tmp_path / "second.ipynb", as_version=4).cells if c.cell_type == "code"]
    assert counts[0] == 1
    log = (tmp_path / "logs" / "kernel.log").read_text(encoding="utf-8")
    assert "namespace cleared before step second" in log
