"""Exit statuses of the `conbini` checks (reconcile, audit replay), as README documents them."""

CLEAN = 0
"""Every check ran and found nothing wrong."""
WRONG = 1
"""Something is wrong; each problem is printed."""
MALFORMED = 2
"""The command was malformed (argparse's own status for usage errors, too)."""
INCOMPLETE = 3
"""Nothing was found wrong, but a check could not run (NATS did not answer)."""
