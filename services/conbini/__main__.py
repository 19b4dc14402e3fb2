"""`python -m conbini …` is the same as the `conbini` console script."""

import sys

from conbini.cli import main

sys.exit(main())
