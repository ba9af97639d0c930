"""Bring a long-lived Jupyter kernel back to the state of a freshly started one (runs inside the kernel).

:class:`kpss_analysis.run.kernel.WarmKernel` calls :func:`snapshot` once after starting its kernel
and :func:`restore` before every notebook. Everything a notebook can change that a later notebook
could notice is put back; what stays is what makes the kernel warm: imported modules and the
loaders' caches of processed tables (which a run does not change). A test runs an ORP both ways
and compares every output.
"""

from __future__ import annotations

import gc
import os
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from IPython import get_ipython

_baseline: dict = {}


def snapshot() -> None:
    """Remember the matplotlib settings, warning filters and working directory of the fresh kernel.

    The inline backend is switched on first, as a notebook's first figure does; it turns on
    matplotlib's interactive mode, without which later notebooks would not show their figures.
    (So a notebook sees interactive mode on already before its first figure, not only from it on.)
    """
    plt.switch_backend(plt.rcParams["backend"])
    _baseline.update(rc=plt.rcParams.copy(), warnings=list(warnings.filters), cwd=os.getcwd())


def restore() -> None:
    """Empty the user namespace, restart the execution counter and restore what :func:`snapshot` saw.

    Also closes all figures, moves the surviving objects to the permanent generation of the garbage
    collector (:func:`gc.freeze`), resets pandas options to their defaults and forgets which warnings
    were already shown once, so a warning appears in every notebook as it would in a fresh kernel.
    """
    plt.close("all")
    get_ipython().reset(new_session=True)  # ends with a garbage collection
    matplotlib.rcParams.update(_baseline["rc"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # resetting deprecated pandas options warns about them
        pd.reset_option("all")
    warnings.resetwarnings()  # clears the filters and every module's "already shown" registry
    warnings.filters[:] = _baseline["warnings"]
    warnings.onceregistry.clear()  # the registry of the "once" action
    os.chdir(_baseline["cwd"])
    # What survives the reset (modules, the loaders' caches) is long-lived: leave it out of later collections,
    # or every reset walks all of it again (about 0.2 s per notebook). Collect first, figures closed: what is
    # frozen is never collected, and freezing the previous notebook's garbage cost 90 MB per ORP.
    gc.collect()
    gc.freeze()
