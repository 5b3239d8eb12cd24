"""Shared pytest set-up for the portable suite."""

import os

from hypothesis import settings

# CI replays the same examples on every run (a red build can be reproduced from its log); locally Hypothesis
# keeps exploring new ones. Tests that set their own max_examples or deadline keep them.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
