"""One run of a scenario as a discrete-event simulation on SimPy."""

from escalsim.engine.record import Event, RunRecord
from escalsim.engine.run import Prepared, prepare, run_one, run_prepared, run_seed

__all__ = [
    "Event",
    "Prepared",
    "RunRecord",
    "compiled",
    "prepare",
    "run_one",
    "run_prepared",
    "run_seed",
]


def compiled() -> bool:
    """Whether the run's inner loop is the compiled build (``ESCALSIM_COMPILE=1 pip install
    .``, setup.py) rather than pure Python: the same runs either way, faster compiled."""
    from escalsim.engine import simulation

    return not simulation.__file__.endswith((".py", ".pyc"))
