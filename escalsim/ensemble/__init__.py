"""Running many runs: settings, seeds, chunks, executors (serial, processes, Dask), ``simulate``."""

from escalsim.ensemble.executors import Executor, ProcessExecutor, SerialExecutor
from escalsim.ensemble.settings import RunSettings
from escalsim.ensemble.simulate import simulate

__all__ = [
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "RunSettings",
    "SerialExecutor",
    "simulate",
]


def __getattr__(name: str):
    # DaskExecutor's module is light, but keep the optional dependency's code out of the way.
    if name == "DaskExecutor":
        from escalsim.ensemble.dask_executor import DaskExecutor

        return DaskExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
