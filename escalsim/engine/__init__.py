"""One run of a scenario as a discrete-event simulation on SimPy."""

from escalsim.engine.record import Event, RunRecord
from escalsim.engine.run import Prepared, prepare, run_one, run_prepared, run_seed

__all__ = ["Event", "Prepared", "RunRecord", "prepare", "run_one", "run_prepared", "run_seed"]
