"""Flex Template entry point: the launcher runs this file with the template's parameters.

The Dataflow launcher calls ``python main.py --input=... --output=... --run_time=...``
plus the job's own options (project, region, staging, ``--template_location`` of the job
spec it will start). The pipeline is the installed ``newsbeam`` package, the same in the
launcher and on the workers (one image); this file only adapts the launcher's arguments.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from pipelines.ingest import main

#: Beam's on/off flags take no value (``--streaming``), the launcher sends ``--streaming=true``.
_SWITCHES = ("streaming", "no_wait_until_finish")


def launcher_args(argv: Sequence[str]) -> list[str]:
    """The launcher's arguments as Beam parses them: ``--switch=true`` becomes ``--switch``.

    >>> launcher_args(["--streaming=true", "--input=gs://b/in", "--no_wait_until_finish=false"])
    ['--streaming', '--input=gs://b/in']
    """
    args = []
    for arg in argv:
        name, _, value = arg.removeprefix("--").partition("=")
        if arg.startswith("--") and name in _SWITCHES and value:
            if value.strip().lower() in ("true", "1", "yes"):
                args.append(f"--{name}")
            continue
        args.append(arg)
    return args


if __name__ == "__main__":
    logging.getLogger().setLevel(logging.INFO)
    sys.exit(main(launcher_args(sys.argv[1:])))
