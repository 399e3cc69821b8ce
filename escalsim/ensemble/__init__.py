"""Running many runs: seeds, chunks, executors (serial, processes, Dask) and ``simulate``."""

from escalsim.ensemble.executors import Executor, ProcessExecutor, SerialExecutor
from escalsim.ensemble.simulate import simulate

__all__ = ["DaskExecutor", "Executor", "ProcessExecutor", "SerialExecutor", "simulate"]


def __getattr__(name: str):
    # DaskExecutor's module is light, but keep the optional dependency's code out of the way.
    if name == "DaskExecutor":
        from escalsim.ensemble.dask_executor import DaskExecutor

        return DaskExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
