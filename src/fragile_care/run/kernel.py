"""One Jupyter kernel for the consecutive steps of a run.

Each step is a notebook executed by papermill. Started one kernel per notebook, every step
pays for a kernel start, the imports of pandas, statsmodels and seaborn, and a shutdown:
about 1.3 s a step on a 2-core machine. A run therefore executes its steps one after the
other in one kernel, and between two notebooks clears everything a notebook could leave
behind that would change the next one's results:

- the user namespace (``%reset -f``: every variable, function and import name is gone, so
  a notebook that used a name it does not define fails here as it would alone);
- open figures, and matplotlib's settings as they were before the first notebook;
- warning filters and the registries of warnings already shown, the working directory,
  and the cell counter (each notebook's cells are numbered from 1, as alone).

What stays is what a fresh kernel would rebuild identically: the imported modules
(``sys.modules``) and the kernel process itself. ``tests/e2e`` runs every step in separate
kernels and in one shared kernel and compares the executed notebooks' outputs;
``tests/integration/test_shared_kernel.py`` checks that nothing leaks between notebooks.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

# Runs in the kernel before the first notebook: the state later resets return to.
_REMEMBER = """
import os as _os, warnings as _warnings
import matplotlib as _mpl
import matplotlib.pyplot as _plt
import fragile_care.run.kernel as _k
_k._baseline.update(
    rc=dict(_mpl.rcParams),
    filters=list(_warnings.filters),
    cwd=_os.getcwd(),
    main={k: v for k, v in get_ipython().user_ns.items() if k.startswith("__") and k.endswith("__")},
)
del _os, _warnings, _mpl, _plt, _k
"""

# Runs in the kernel between two notebooks. ``step`` names the next one in the log.
_RESET = """
get_ipython().run_line_magic("reset", "-f")
import fragile_care.run.kernel as _k
_k.restore_baseline({step!r})
del _k
"""

_baseline: dict = {}


def restore_baseline(step: str) -> None:
    """In the kernel: close every figure and put matplotlib's settings, the warning
    filters and the working directory back as they were before the first notebook."""
    import sys
    import warnings

    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    shell = get_ipython()
    # %reset also drops __spec__ and __loader__ of __main__, which multiprocessing's spawn
    # start method needs, and the output history names
    shell.user_ns.update({k: v for k, v in _baseline["main"].items() if k not in shell.user_ns})
    shell.user_ns.update({"_": "", "__": "", "___": ""})
    shell.execution_count = 1  # the next notebook's cells are numbered from 1, as alone
    plt.close("all")
    dict.update(mpl.rcParams, _baseline["rc"])  # as matplotlib's rc_context restores them
    warnings.filters[:] = _baseline["filters"]
    warnings.onceregistry.clear()
    warnings._filters_mutated()  # type: ignore[attr-defined]  # and every module's registry of warnings shown
    os.chdir(_baseline["cwd"])
    print(f"--- kernel: namespace cleared before step {step}", file=sys.__stderr__, flush=True)


class SharedKernel:
    """A python3 kernel started in ``cwd`` with its standard error in ``log``; papermill
    executes notebooks in it through the ``fragile-care-shared`` engine."""

    def __init__(self, cwd: Path, log: Path) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self._run_sync = run_sync
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log, "ab")
        self.km = AsyncKernelManager(kernel_name="python3")
        self.kc = None
        self.used = False
        try:
            # no input history: cells are renumbered from 1 for every notebook, which a
            # history database would report as a clash
            run_sync(self.km.start_kernel)(cwd=str(cwd), stderr=self._log, extra_arguments=["--HistoryManager.enabled=False"])
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=60)
            self._run(_REMEMBER)
        except BaseException:
            self.close(now=True)
            raise

    def _run(self, code: str) -> None:
        reply = self._run_sync(self.kc.execute_interactive)(code, timeout=60, store_history=False, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}")

    def prepare(self, step: str) -> None:
        """Clear what the previous notebook left (nothing to clear before the first)."""
        if self.used:
            self._run(_RESET.format(step=step))
        self.used = True

    def close(self, now: bool = False) -> None:
        """Shut the kernel down (``now``: kill it, after a failure or a stop)."""
        with contextlib.suppress(Exception):
            if self.kc is not None:
                self.kc.stop_channels()
        with contextlib.suppress(Exception):
            if self._run_sync(self.km.is_alive)():
                self._run_sync(self.km.shutdown_kernel)(now=now)
        with contextlib.suppress(Exception):
            self._run_sync(self.km.cleanup_resources)()
        self._log.close()


def kernel_engine() -> str:
    """The name of the papermill engine that executes a notebook in a
    :class:`SharedKernel` (passed as ``shared_kernel=``) and leaves the kernel running
    afterwards; registered on first use."""
    from papermill.engines import papermill_engines

    if ENGINE not in papermill_engines._engines:
        _register()
    return ENGINE


def _register() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class SharedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            shared: SharedKernel = kwargs.pop("shared_kernel")
            for unused in ("input_path", "timeout", "startup_timeout"):
                kwargs.pop(unused, None)
            client = PapermillNotebookClient(
                nb_man,
                km=shared.km,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            client.kc = shared.kc  # a client given, nbclient neither starts nor stops one
            # papermill writes the whole notebook before and after every cell (3 s of the
            # default run's 25, its figures re-encoded each time); written once instead, when
            # the notebook completes or fails (``notebook_complete`` runs in either case)
            output_path, nb_man.output_path = nb_man.output_path, None
            try:
                return client.execute()
            finally:
                nb_man.output_path = output_path

    papermill_engines.register(ENGINE, SharedKernelEngine)


ENGINE = "fragile-care-shared"
