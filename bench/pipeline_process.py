"""Entry point of the probe pipeline's processes (kept apart so topics name bench.pipeline)."""

import sys

from bench.pipeline import main

sys.exit(main(sys.argv[1:]))
