"""Entry point of the echo pipeline's processes (kept apart so topics name tests.support.echo)."""

import sys

from tests.support.echo import main

sys.exit(main(sys.argv[1:]))
