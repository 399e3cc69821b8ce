"""Property tests draw the same examples on every run, so that a test run is reproducible.

Set ``HYPOTHESIS_PROFILE=explore`` to draw new examples each run (to hunt for new failures).
"""

import os

from hypothesis import settings

settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))
