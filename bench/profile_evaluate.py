"""Profile Evaluator.evaluate on the generated ballots with pyinstrument (how the hot path was found).

    .venv/bin/python bench/profile_evaluate.py [--cases 2000] [--html out.html]
    .venv/bin/python bench/profile_evaluate.py --ledger [--cases 100]   # the 30-member full-year linge ledger
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ballots  # noqa: E402
import common  # noqa: E402


def main(argv=None) -> int:
    from pyinstrument import Profiler

    from policyhub.domain.caseio import request_from_dict
    from policyhub.evaluation.evaluator import Evaluator
    from policyhub.packs.registry import PackRegistry

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--html", help="write an HTML report here instead of text on stdout")
    parser.add_argument("--ledger", action="store_true",
                        help="evaluate bench_packs' 30-member full-year linge_2022 ledger --cases times instead")
    args = parser.parse_args(argv)
    common.quiet_logs()
    evaluator = Evaluator(PackRegistry.discover())
    if args.ledger:
        from bench_packs import linge_year_ledger

        requests = [request_from_dict(linge_year_ledger())] * args.cases
    else:
        requests = [request_from_dict(r) for r in ballots.generate(args.cases, args.seed)]
    for request in requests[:200]:  # warm caches before sampling
        evaluator.evaluate(request)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for request in requests:
        evaluator.evaluate(request)
    profiler.stop()
    if args.html:
        Path(args.html).write_text(profiler.output_html(), encoding="utf-8")
    else:
        print(profiler.output_text(unicode=True, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
