"""A warm Jupyter kernel for papermill: started once per worker, reset to a fresh kernel's state before every
notebook (:mod:`.kernel_state`), so imports and data loading are paid once per worker instead of once per notebook.
Notebooks still go through papermill (parameter injection, executed notebook with papermill metadata).
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Mapping
from pathlib import Path

import papermill
import zmq
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine
from papermill.log import logger as papermill_logger

from kpss_analysis import config
from kpss_analysis.errors import KpssError

WARM_ENGINE = "kpss-warm-kernel"
CELL_TIMEOUT = config.CELL_TIMEOUT


class EncryptedKernelManager(AsyncKernelManager):
    """A kernel manager that gives the kernel CurveZMQ keys (jupyter_client ``transport_encryption``).

    Kernels otherwise talk to the runner over TCP in plain text, and ipykernel warns about it for
    every kernel it starts. Our kernelspec (ipykernel's) declares ``supported_encryption: curve``,
    so ``"auto"`` encrypts; without CurveZMQ in libzmq it stays ``"disabled"`` (and ipykernel warns).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("transport_encryption", "auto" if zmq.has("curve") else "disabled")
        super().__init__(**kwargs)


def check_kernel(kernel: str) -> None:
    """Fail early, with the fix, when the Jupyter kernel is not registered."""
    try:
        KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel as exc:
        raise KpssError(
            f"Jupyter kernel {kernel!r} is not registered. Run `make setup`, or "
            f"`python -m ipykernel install --sys-prefix --name {kernel}` in this environment."
        ) from exc


class WarmKernel:
    """A Jupyter kernel kept alive across notebooks and reset to a fresh kernel's state before each.

    The reset (:mod:`kpss_analysis.run.kernel_state`) empties the user namespace and restarts the
    execution counter, closes figures and restores matplotlib settings, pandas options, warning
    filters and the working directory; imported modules and the loaders' caches stay warm.
    Use as a context manager, or call :meth:`start` and :meth:`shutdown`. One thread at a time.

    Parameters
    ----------
    kernel_name
        Registered Jupyter kernel (see :func:`check_kernel`).
    """

    def __init__(self, kernel_name: str = config.KERNEL_NAME):
        self.kernel_name = kernel_name
        self.manager = EncryptedKernelManager(kernel_name=kernel_name)
        self.client = None

    def __enter__(self) -> WarmKernel:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.shutdown()

    def start(self) -> WarmKernel:
        """Start the kernel in the notebooks folder (as papermill does) and remember its fresh state."""
        run_sync(self.manager.start_kernel)(cwd=str(config.notebooks_dir()))
        try:
            self.client = self.manager.client()
            self.client.start_channels()
            run_sync(self.client.wait_for_ready)(timeout=60)
            self.client.allow_stdin = False
            self._run("import kpss_analysis.run.kernel_state as _kpss_state; _kpss_state.snapshot()")
        except BaseException:
            self.shutdown()
            raise
        return self

    def reset(self) -> None:
        """Bring the kernel back to the state :meth:`start` saw."""
        self._run("import kpss_analysis.run.kernel_state as _kpss_state; _kpss_state.restore()")

    def interrupt(self) -> None:
        """Interrupt the running cell (SIGINT, like Jupyter's stop button); safe from another thread."""
        with contextlib.suppress(AttributeError, ProcessLookupError):  # already shut down or exited
            os.kill(self.manager.provisioner.pid, signal.SIGINT)

    def shutdown(self) -> None:
        """Close the client and stop the kernel (also a half-started one)."""
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.manager.has_kernel:
            run_sync(self.manager.shutdown_kernel)(now=True)

    def execute_notebook(self, notebook: Path, executed: Path, parameters: Mapping[str, object],
                         cell_timeout: float | None = CELL_TIMEOUT) -> None:
        """:func:`papermill.execute_notebook` in this kernel, after a reset.

        A cell running longer than ``cell_timeout`` seconds raises nbclient's ``CellTimeoutError``
        and leaves the kernel busy: shut it down (a batch starts a new one).
        """
        self.reset()
        papermill.execute_notebook(str(notebook), str(executed), parameters=dict(parameters),
                                   kernel_name=self.kernel_name, engine_name=WARM_ENGINE, warm_kernel=self,
                                   execution_timeout=cell_timeout, progress_bar=False,
                                   request_save_on_cell_execute=False)

    def _run(self, code: str) -> None:
        reply = run_sync(self.client.execute_interactive)(code, silent=True, store_history=False,
                                                          output_hook=lambda _msg: None, timeout=120)
        content = reply["content"]
        if content["status"] != "ok":
            raise KpssError(f"Could not prepare the Jupyter kernel {self.kernel_name!r}: "
                            f"{content.get('ename')}: {content.get('evalue')}. Reinstall with `make setup`.")


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, executing in the kernel of a :class:`WarmKernel`."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, *, warm_kernel: WarmKernel, log_output=False,
                                 stdout_file=None, stderr_file=None, start_timeout=60, execution_timeout=None,
                                 **_papermill_kwargs):
        client = PapermillNotebookClient(nb_man, km=warm_kernel.manager, kernel_name=kernel_name,
                                         log=papermill_logger, log_output=log_output, stdout_file=stdout_file,
                                         stderr_file=stderr_file, startup_timeout=start_timeout,
                                         timeout=execution_timeout)
        # nbclient opens a kernel client only when it has none, and closes neither this client
        # nor the kernel when it does not own the kernel manager.
        client.kc = warm_kernel.client
        return client.execute()
