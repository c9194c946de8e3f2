"""Hypothesis profiles: ``dev`` (default), ``ci`` (set by .ci/run) and ``thorough``.

Choose with ``HYPOTHESIS_PROFILE``. Slow property tests carry ``@pytest.mark.slow``; they run in
every profile, with fewer examples in ``dev`` and ``ci`` and many more in ``thorough``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
