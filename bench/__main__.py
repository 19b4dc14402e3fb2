"""`python -m bench <name> …`: run one benchmark; its last line is `key=value` figures."""

import argparse
import sys
from collections.abc import Callable, Sequence

from bench import (
    backbone,
    chaos,
    contracts_codec,
    lifecycle,
    lifecycle_peer,
    matching,
    notify,
    replay,
)

BENCHMARKS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[..., str]]] = {
    "backbone": (
        "store → relay → JetStream → inbox → store, against JetStream and PostgreSQL floors",
        backbone.add_arguments,
        backbone.run,
    ),
    "matching": (
        "choose offers among many workers (index) against the full scan",
        matching.add_arguments,
        matching.run,
    ),
    "notify": (
        "TaskOffered published → the offer shown on an open worker page (SSE), against JetStream",
        notify.add_arguments,
        notify.run,
    ),
    "replay": (
        "replay every stored event into a read model, against eventsourcing's log read",
        replay.add_arguments,
        replay.run,
    ),
    "lifecycle": (
        "request → carve → offer → accept → complete → RewardPaid, ours against the peer",
        lifecycle.add_arguments,
        lifecycle.run,
    ),
    "contracts": (
        "decode/encode contract events against msgspec's untyped floor",
        contracts_codec.add_arguments,
        contracts_codec.run,
    ),
    "chaos": (
        "kill service processes, NATS and PostgreSQL while lifecycles run; count what was lost",
        chaos.add_arguments,
        chaos.run,
    ),
    "lifecycle-peer": (
        "the task lifecycle on eventsourcing's own System (MultiThreadedRunner, PostgreSQL)",
        lifecycle_peer.add_arguments,
        lifecycle_peer.run,
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the benchmark name and its options, run it, print its final line."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    names = parser.add_subparsers(dest="name", required=True)
    for name, (help_text, add_arguments, _) in BENCHMARKS.items():
        add_arguments(names.add_parser(name, help=help_text))
    args = vars(parser.parse_args(argv))
    _, _, run = BENCHMARKS[args.pop("name")]
    print(run(**args), flush=True)
    return 0


sys.exit(main())
