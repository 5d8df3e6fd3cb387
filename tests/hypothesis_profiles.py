"""Hypothesis profiles for the fuzz tests: "dev" (quick, the local default) and "ci" (thorough:
2,000 examples, what `.ci/run` uses). Pick one with HYPOTHESIS_PROFILE=ci. Tests apply `FUZZ` with
@FUZZ instead of loading a profile globally, so other test modules keep Hypothesis' own defaults.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FUZZ = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
