"""Results of an ensemble and their statistics; pandas and pyarrow are imported when used."""

from escalsim.results.results import Results
from escalsim.results.stats import wilson_interval

__all__ = ["Results", "wilson_interval"]
