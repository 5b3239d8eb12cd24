"""Demo school: `create()` fills a site with a realistic, deterministic school; `teardown()` removes it.

bench --site SITE ai-school-demo [--scale small] [--students N] [--seed N] [--teardown]
bench --site SITE execute ai_school.demo.create [--kwargs "{'scale': 'small'}"]
bench --site SITE execute ai_school.demo.teardown
"""

from ai_school.demo.builder import create
from ai_school.demo.removal import teardown

__all__ = ["create", "teardown"]
