"""Waiting until a running town is quiet: every relay published, every inbox caught up.

Read from each API's `/metrics` (relay lag and inbox lag), so a script or a test waits for
exactly the condition it needs instead of sleeping and hoping.
"""

import re
import time
import urllib.request

LAG = re.compile(r"^conbini_(relay_lag_events|inbox_lag_messages)\{[^}]*\} (\S+)$", re.MULTILINE)


def lags(api: str) -> list[float]:
    """Every relay and inbox lag one service reports (empty when it does not answer)."""
    try:
        with urllib.request.urlopen(f"{api}/metrics", timeout=10) as response:  # noqa: S310
            text = response.read().decode()
    except OSError:
        return []
    return [float(value) for _, value in LAG.findall(text)]


def wait_until_quiet(apis: list[str], within: float = 120.0, every: float = 0.3) -> None:
    """Return once every service reports no lag twice in a row.

    Raises:
        TimeoutError: the town did not settle within `within` seconds.
    """
    deadline = time.monotonic() + within
    calm = 0
    while time.monotonic() < deadline:
        found = [lags(api) for api in apis]
        quiet = all(values and not any(values) for values in found)
        calm = calm + 1 if quiet else 0
        if calm >= 2:  # noqa: PLR2004 - twice: a policy may have just stored more
            return
        time.sleep(every)
    msg = f"the town did not settle within {within}s: {found}"
    raise TimeoutError(msg)
