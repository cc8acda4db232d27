"""The `policyhub-client` command: evaluate request files against a policyhub server.

    policyhub-client eval FILE...            JSON/YAML requests (or fixture cases), a result each
    policyhub-client eval --jsonl FILE...    one request per line in, one result per line out
    policyhub-client packs | pack ID         the server's packs, one pack in full

Results go to stdout as JSON ({"index", "request_id", "decision" | "error", "source"});
progress, retries and failures go to stderr. Exit status: 0 when every request got a decision,
1 when some got an error, 2 when the run itself failed (server unreachable, unreadable file).
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import os
import sys
from typing import Any, Iterator, Optional

from tqdm import tqdm

from .client import DEFAULT_BATCH_SIZE, DEFAULT_TARGET, DEFAULT_TIMEOUT, MAX_BATCH_SIZE, PolicyHubClient, _Invalid, _prepare
from .errors import InvalidArgumentError, PolicyHubError
from .inputs import BadInput, count_lines, load_requests, read_jsonl
from .retry import RetryPolicy
from .tls import TLS


def main(argv: Optional[list[str]] = None) -> int:
    args = _parser().parse_args(argv)
    sys.stdout.reconfigure(encoding="utf-8")  # JSON is UTF-8, whatever the locale
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="policyhub-client: %(message)s")
    try:
        client = _client(args)
    except (ValueError, OSError) as exc:
        print(f"policyhub-client: {exc}", file=sys.stderr)
        return 2
    try:
        with client:
            if args.command == "eval":
                return _eval(client, args)
            if args.command == "packs":
                _print(client.list_packs(args.locality), pretty=True)
            else:
                _print(client.get_pack(args.ref), pretty=True)
            return 0
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as other filters do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (PolicyHubError, BadInput, OSError) as exc:
        print(f"policyhub-client: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--target", default=os.environ.get("POLICYHUB_TARGET", DEFAULT_TARGET),
                        help=f"host:port of the server (env POLICYHUB_TARGET; default {DEFAULT_TARGET})")
    common.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds each call may take, retries included (default {DEFAULT_TIMEOUT:g})")
    common.add_argument("--max-attempts", type=int, default=RetryPolicy().max_attempts,
                        help="attempts per call while the server is UNAVAILABLE")
    common.add_argument("--tls", action="store_true", help="TLS with the system's root certificates")
    common.add_argument("--tls-ca", metavar="FILE", help="TLS, trusting this CA (PEM)")
    common.add_argument("--tls-cert", metavar="FILE", help="client certificate for mutual TLS (PEM)")
    common.add_argument("--tls-key", metavar="FILE", help="client key for mutual TLS (PEM)")
    common.add_argument("--tls-server-name", metavar="NAME", help="name to check the server certificate against")
    common.add_argument("-v", "--verbose", action="store_true", help="log retries")

    parser = argparse.ArgumentParser(prog="policyhub-client", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate = commands.add_parser(
        "eval", parents=[common], help="evaluate requests from files",
        description="Evaluate requests; a result per request on stdout, in input order.")
    evaluate.add_argument("files", nargs="+", metavar="FILE",
                          help="JSON/YAML request, fixture case or fixture file; with --jsonl a JSONL file or -")
    evaluate.add_argument("--jsonl", action="store_true", help="one request per line in, one result per line out")
    evaluate.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                          help=f"requests per EvaluateBatch call (1..{MAX_BATCH_SIZE}, default {DEFAULT_BATCH_SIZE})")
    evaluate.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                          help="progress bar on stderr (default: when stderr is a terminal)")
    packs = commands.add_parser("packs", parents=[common], help="list the server's packs (JSON)")
    packs.add_argument("--locality", default=None)
    pack = commands.add_parser("pack", parents=[common], help="one pack: rules, thresholds, interpretations (JSON)")
    pack.add_argument("ref", metavar="ID[@VERSION]")
    return parser


def _client(args: argparse.Namespace) -> PolicyHubClient:
    tls: Any = None
    if args.tls or args.tls_ca or args.tls_cert or args.tls_key or args.tls_server_name:
        tls = TLS(root_certificates=args.tls_ca, certificate_chain=args.tls_cert, private_key=args.tls_key,
                  server_name=args.tls_server_name)
    retry = RetryPolicy(max_attempts=args.max_attempts)
    return PolicyHubClient(args.target, tls=tls, timeout=args.timeout, retry=retry)


def _eval(client: PolicyHubClient, args: argparse.Namespace) -> int:
    if not 1 <= args.batch_size <= MAX_BATCH_SIZE:
        raise BadInput(f"--batch-size must be between 1 and {MAX_BATCH_SIZE}")
    sources: collections.deque[str] = collections.deque()  # holds only the batches in flight
    if args.jsonl:
        total = _sum_or_none(count_lines(path) for path in args.files)
        items = _jsonl_items(args.files, sources)
    else:
        documents = [entry for path in args.files for entry in _documents(path)]
        total = len(documents)
        items = _queue_sources(iter(documents), sources)
    show = sys.stderr.isatty() if args.progress is None else args.progress
    errors = 0
    with tqdm(total=total, unit="req", file=sys.stderr, disable=not show, mininterval=0.5,
              dynamic_ncols=True) as progress:
        for result in client._evaluate_prepared(items, args.batch_size, None):
            result["source"] = sources.popleft()
            errors += "error" in result
            _print(result, pretty=not args.jsonl)
            progress.update(1)
    sys.stdout.flush()
    return 1 if errors else 0


def _documents(path: str) -> list[tuple[str, Any]]:
    try:
        return load_requests(path)
    except BadInput as exc:  # this file's place in the output says what is wrong with it
        return [(path, exc)]


def _jsonl_items(paths: list[str], sources: collections.deque) -> Iterator[Any]:
    for path in paths:
        yield from _queue_sources(read_jsonl(path), sources)


def _queue_sources(entries: Iterator[tuple[str, Any]], sources: collections.deque) -> Iterator[Any]:
    for source, data in entries:
        sources.append(source)
        if isinstance(data, BadInput):
            yield _Invalid("", InvalidArgumentError("", [("request", str(data))]))
        else:
            yield _prepare(data)


def _sum_or_none(counts) -> Optional[int]:
    counts = list(counts)
    return None if any(c is None for c in counts) else sum(counts)


def _print(data: Any, *, pretty: bool) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2 if pretty else None) + "\n")


if __name__ == "__main__":
    sys.exit(main())
