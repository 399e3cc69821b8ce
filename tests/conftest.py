"""Settings for the whole suite: reproducible property tests, and no test that judges speed.

Property tests draw the same examples on every run, so that a test run is reproducible; set
``HYPOTHESIS_PROFILE=explore`` to draw new examples each run (to hunt for new failures).
Neither profile has a deadline per example or a health check on the speed of drawing them,
and every test runs under a hang guard (tests/time_limits.py): a busy machine makes the suite
slower, never red.
"""

import os
import signal

import pytest
from hypothesis import HealthCheck, settings
from time_limits import TEST_HANG_GUARD, hang_guard

_NOT_TIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("fixed", derandomize=True, **_NOT_TIMED)
settings.register_profile("explore", derandomize=False, **_NOT_TIMED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Each test, its fixtures' set-up and tear-down included, fails rather than hangs."""
    if not hasattr(signal, "setitimer"):  # no POSIX alarm: no guard
        yield
        return
    with hang_guard(TEST_HANG_GUARD):
        yield
