"""The `policyhub` command: serve, explore, eval, packs, pack show."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from .telemetry import logs
from .domain.errors import PolicyError

# The rest of policyhub is imported by the commands that need it: `serve` starts its workers
# sooner when the supervisor does not first import the engine and the packs' machinery it
# never uses (and each spawned worker re-imports this module).
if TYPE_CHECKING:
    from .packs.registry import PackRegistry

pack_path_option = click.option(
    "--pack-path",
    "pack_paths",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    envvar="POLICYHUB_PACK_PATHS",
    help="A pack directory to load besides the installed packs (repeatable; env: colon-separated).",
)


def _registry(pack_paths) -> PackRegistry:
    from .packs.registry import PackRegistry

    return PackRegistry.discover(pack_paths)


def _dump(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings={"auto_envvar_prefix": "POLICYHUB", "help_option_names": ["-h", "--help"]})
@click.option("--log-level", default="warning", show_default=True, help="debug, info, warning, error.")
@click.pass_context
def main(ctx: click.Context, log_level: str) -> None:
    """policyhub: checks party-building paperwork against the local regulation in force."""
    ctx.obj = {"log_level": log_level}
    logs.configure(log_level)


file_option: dict[str, Any] = dict(  # click.option keywords: typed per keyword by click
    type=click.Path(exists=True, dir_okay=False), default=None)


def decision_store_options(command):
    """The decision record's options, shared by `serve` and `decisions`: both read the same
    POLICYHUB_SERVE_* variables, so `policyhub decisions …` next to a server finds its store."""
    env = lambda name: f"POLICYHUB_SERVE_{name}"  # noqa: E731
    for option in reversed([
        click.option("--decision-store", default="sqlite", show_default=True, envvar=env("DECISION_STORE"),
                     help="Where every decision is kept: sqlite (in --state-dir), sqlite:///PATH, postgresql://…, or none."),
        click.option("--state-dir", default="", envvar=env("STATE_DIR"), help="Directory of the SQLite store and its generated pseudonym key.  "
                     "[default: $XDG_STATE_HOME/policyhub or ~/.local/state/policyhub]"),
        click.option("--decision-key-file", type=click.Path(exists=True, dir_okay=False), default=None,
                     envvar=env("DECISION_KEY_FILE"),
                     help="The pseudonym (HMAC) key. Default for SQLite: generated once in --state-dir. Required for PostgreSQL."),
        click.option("--retention-days", default=0, show_default=True, type=click.IntRange(0), envvar=env("RETENTION_DAYS"),
                     help="Remove records older than this many days (0: keep all)."),
        click.option("--decision-store-sync", default="normal", show_default=True, type=click.Choice(["full", "normal"]),
                     envvar=env("DECISION_STORE_SYNC"),
                     help="SQLite: normal survives a crash or kill -9 of any process; full also a power cut (an fsync per commit)."),
        click.option("--decision-store-max-mb", default=None, type=click.IntRange(1), envvar=env("DECISION_STORE_MAX_MB"),
                     help="SQLite: largest database; past it decisions fail with UNAVAILABLE. Default: no cap."),
    ]):
        command = option(command)
    return command


def _store_config(store, state_dir, key_file, retention_days, sync, max_mb):
    from .store.config import StoreConfig

    return StoreConfig(store=store, state_dir=state_dir, key_file=key_file, retention_days=retention_days,
                       sqlite_sync=sync, max_bytes=max_mb * 1024 * 1024 if max_mb else None)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=50051, show_default=True, type=int, help="0 picks a free port (logged).")
@click.option("--workers", default=os.cpu_count() or 1, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Per worker.")
@click.option("--grpc-server", default="threads", show_default=True, type=click.Choice(["aio", "threads"]),
              help="Each worker's gRPC server: asyncio (calls on an event loop) or a pool of --threads threads.")
@click.option("--decision-writer", default="process", show_default=True, type=click.Choice(["process", "inline"]),
              envvar="POLICYHUB_SERVE_DECISION_WRITER",
              help="Who builds and commits the decision records of batches, streams and aio calls: a writer process "
                   "beside each worker, or the worker itself (a unary call on the threads server: always the worker).")
@click.option("--grace", default=10.0, show_default=True, type=float, help="Seconds to drain on SIGTERM.")
@click.option("--drain-delay", default=0.0, show_default=True, type=click.FloatRange(0),
              help="Seconds to keep serving with health NOT_SERVING after SIGTERM, before draining.")
@click.option("--reflection/--no-reflection", default=True, show_default=True)
@click.option("--installed-packs/--no-installed-packs", default=True, show_default=True,
              help="Load the packs of installed distributions (else only --pack-path).")
@click.option("--max-message-bytes", default=16 * 1024 * 1024, show_default=True, type=click.IntRange(1024),
              help="Largest request or answer; a larger one gets RESOURCE_EXHAUSTED.")
@click.option("--max-connection-age", default=0.0, show_default=True, type=click.FloatRange(0),
              help="Close client connections after this many seconds (0: never) so clients rebalance.")
@click.option("--lock-file", **file_option, help="Serve exactly the packs this lock pins, unchanged (policyhub pack lock); else exit 3.")
@click.option("--metrics-port", default=None, type=click.IntRange(0, 65535),
              help="Serve Prometheus /metrics on this port (0: a free one, logged). Default: off.")
@click.option("--metrics-host", default=None, help="Bind address for /metrics.  [default: --host]")
@click.option("--admin-port", default=None, type=click.IntRange(0, 65535),
              help="Serve policyhub.v1.Admin (reload) on this port (0: a free one, logged). Default: off.")
@click.option("--admin-host", default="127.0.0.1", show_default=True, help="Bind address for the Admin service.")
@click.option("--tls-cert", **file_option, help="PEM certificate chain: serve TLS.")
@click.option("--tls-key", **file_option, help="PEM private key of --tls-cert.")
@click.option("--tls-client-ca", **file_option, help="PEM CA: require client certificates it signed (mTLS).")
@decision_store_options
@pack_path_option
@click.pass_context
def serve(ctx, host, port, workers, threads, grpc_server, decision_writer, grace, drain_delay, reflection, installed_packs, max_message_bytes,
          max_connection_age, lock_file, metrics_port,
          metrics_host, admin_port, admin_host, tls_cert, tls_key, tls_client_ca, pack_paths,
          decision_store, state_dir, decision_key_file, retention_days, decision_store_sync,
          decision_store_max_mb) -> None:
    """Serve policyhub.v1.PolicyHub, gRPC health and reflection with the installed packs.

    SIGHUP (or `policyhub reload` against --admin-port) reloads the packs; SIGTERM drains.
    """
    from .server.supervisor import ServerConfig, supervise

    level = ctx.obj["log_level"] if ctx.obj["log_level"] != "warning" else "info"
    if bool(tls_cert) != bool(tls_key) or (tls_client_ca and not tls_cert):
        raise click.UsageError("TLS needs --tls-cert and --tls-key together (and both for --tls-client-ca)")
    config = ServerConfig(
        host=host,
        port=port,
        workers=workers,
        threads=threads,
        grpc_server=grpc_server,
        decision_writer=decision_writer,
        pack_paths=tuple(pack_paths),
        installed_packs=installed_packs,
        lock_file=lock_file,
        reflection=reflection,
        grace=grace,
        drain_delay=drain_delay,
        log_level=level,
        max_message_bytes=max_message_bytes,
        max_connection_age=max_connection_age,
        metrics_host=metrics_host,
        metrics_port=metrics_port,
        admin_host=admin_host,
        admin_port=admin_port,
        tls_cert=tls_cert,
        tls_key=tls_key,
        tls_client_ca=tls_client_ca,
        decision_store=_store_config(decision_store, state_dir, decision_key_file, retention_days,
                                     decision_store_sync, decision_store_max_mb),
    )
    try:
        config.decision_store.check()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    sys.exit(supervise(config))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address; loopback unless told otherwise.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port (printed).")
@click.option("--installed-packs/--no-installed-packs", default=True, show_default=True,
              help="Load the packs of installed distributions (else only --pack-path).")
@click.option("--max-body-bytes", default=16 * 1024 * 1024, show_default=True, type=click.IntRange(1024),
              help="Largest request body; a larger one gets 413.")
@click.option("--evaluation-seconds", default=10.0, show_default=True, type=click.FloatRange(0.1),
              help="An evaluation still running after this gets 504.")
@pack_path_option
@click.pass_context
def explore(ctx, host, port, installed_packs, max_body_bytes, evaluation_seconds, pack_paths) -> None:
    """Serve the regulation explorer and the HTTP/JSON API (read-only) with the packs, in process.

    Packs given with --pack-path are watched: an edit is picked up on the next page load.
    """
    from .web.serve import serve_explorer

    level = ctx.obj["log_level"] if ctx.obj["log_level"] != "warning" else "info"
    logs.configure(level)
    sys.exit(serve_explorer(host, port, pack_paths, installed_packs, max_body_bytes, evaluation_seconds))


@main.command()
@click.option("--target", default="127.0.0.1:50052", show_default=True, help="The server's admin address.")
@click.option("--timeout", default=300.0, show_default=True, type=float, help="Seconds to wait for the answer.")
@click.option("--tls-ca", **file_option, help="PEM roots to verify the server (TLS).")
@click.option("--tls-cert", **file_option, help="Client certificate (mTLS).")
@click.option("--tls-key", **file_option, help="Client key (mTLS).")
def reload(target, timeout, tls_ca, tls_cert, tls_key) -> None:
    """Reload the packs of a running server; exit 1 if the new set was refused (the old one keeps serving)."""
    import grpc
    from google.protobuf import json_format

    from .v1 import admin_pb2, admin_pb2_grpc

    if tls_ca or tls_cert or tls_key:
        read = lambda path: open(path, "rb").read() if path else None  # noqa: E731
        channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(read(tls_ca), read(tls_key), read(tls_cert)))
    else:
        channel = grpc.insecure_channel(target)
    with channel:
        try:
            answer = admin_pb2_grpc.AdminStub(channel).Reload(admin_pb2.ReloadRequest(), timeout=timeout)
        except grpc.RpcError as exc:
            raise click.ClickException(f"{target}: {exc.code().name}: {exc.details()}") from None
    _dump(json_format.MessageToDict(answer, preserving_proto_field_name=True,
                                    always_print_fields_with_no_presence=True))
    sys.exit(0 if answer.accepted else 1)


@main.command("eval")
@click.argument("case", type=click.Path(exists=True, dir_okay=False))
@click.option("--trace", is_flag=True, help="Add the trace: every rule, whether it fired, and for rules declared "
              "as data the condition in words with the values and thresholds it compared.")
@pack_path_option
def eval_(case, trace, pack_paths) -> None:
    """Evaluate one request (YAML or JSON; a fixture case's `request` works too) without a server.

    Prints the decision as JSON; an error prints {"error", "message", "field_violations"} and exits 1.
    """
    from .domain.caseio import load_file, request_from_dict
    from .evaluation.evaluator import Evaluator, decision_to_dict

    try:
        data = load_file(case)
    except ValueError as exc:  # not YAML or JSON; a !!python/... tag is refused, never constructed
        raise click.ClickException(str(exc)) from None
    if isinstance(data, dict) and "request" in data and "expect" in data:
        data = data["request"]
    if trace and isinstance(data, dict):
        data = {**data, "trace": True}
    evaluator = Evaluator(_registry(pack_paths))
    try:
        _dump(decision_to_dict(evaluator.evaluate(request_from_dict(data))))
    except PolicyError as exc:
        violations = [{"field": f, "description": d} for f, d in getattr(exc, "violations", [])]
        _dump({"error": exc.code.name, "message": exc.message, "field_violations": violations})
        sys.exit(1)


@main.command()
@click.option("--locality", default=None, help="Only packs of this locality.")
@pack_path_option
def packs(locality, pack_paths) -> None:
    """List the loaded packs."""
    for pack in _registry(pack_paths).packs(locality):
        click.echo(f"{pack.ref:32} {pack.locality:20} {pack.period_text():28} {pack.title['zh']}")


@main.command()
@click.option("--target", default=None, help="host:port; default: 127.0.0.1 at POLICYHUB_SERVE_PORT or 50051.")
@click.option("--service", default="", help="A service name, e.g. policyhub.v1.PolicyHub; default: the whole server.")
@click.option("--timeout", default=2.0, show_default=True, type=click.FloatRange(min=0, min_open=True), help="Seconds.")
@click.option("--tls-ca", type=click.Path(exists=True, dir_okay=False), help="PEM roots to verify the server (TLS).")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), help="Client certificate (mTLS).")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), help="Client key (mTLS).")
@click.option("--tls-server-name", default=None, help="Name to expect in the server's certificate.")
def health(target, service, timeout, tls_ca, tls_cert, tls_key, tls_server_name) -> None:
    """Exit 0 if the server's grpc.health.v1 answers SERVING, else 1 (NOT_SERVING, unreachable, timeout)."""
    from .server.healthcheck import TlsFiles, check, default_target

    try:
        tls = TlsFiles(tls_ca, tls_cert, tls_key, tls_server_name) if (tls_ca or tls_cert or tls_key) else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    result = check(target or default_target(), service, timeout, tls)
    click.echo(result.line)
    sys.exit(0 if result.healthy else 1)


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--target", default=None, help="host:port of a live server; default: in-process.")
@click.option("--junit", type=click.Path(dir_okay=False), help="Write a JUnit XML report.")
@click.option("--json", "json_report", type=click.Path(dir_okay=False), help="Write a JSON report.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None,
              help="Fail below this percentage of rules with both a firing and a non-firing case.")
@click.option("--min-threshold-coverage", type=click.FloatRange(0, 100), default=None,
              help="Fail below this percentage of numeric and date thresholds with cases at, just inside and "
              "just outside their value (see policyhub.authoring.thresholdcoverage).")
@pack_path_option
def test_(paths, target, junit, json_report, min_coverage, min_threshold_coverage, pack_paths) -> None:
    """Run fixture cases (default: every loaded pack's fixtures/); report rule and threshold coverage."""
    from pathlib import Path

    from .authoring import testing

    from .authoring.fixtures import pack_dirs

    registry = _registry(pack_paths)
    # A pack folder named (or policy_packs/): its fixtures run against it, loaded from there when no
    # loaded pack is that folder (so a pack not installed yet tests without --pack-path).
    loaded = {p.directory for p in registry.packs()}
    unloaded = [str(d) for d in pack_dirs(paths) if d.resolve() not in loaded]
    if unloaded:
        registry = _registry(list(pack_paths or ()) + unloaded)
    if not paths:
        paths = [str(p.directory / "fixtures") for p in registry.packs() if (p.directory / "fixtures").is_dir()]
    runner = testing.grpc_runner(target) if target else testing.in_process_runner(registry)
    try:
        results = testing.run_cases([Path(p) for p in paths], registry, runner)
    except ValueError as exc:  # a malformed case file
        raise click.ClickException(str(exc)) from None
    for result in results:
        if not result.passed:
            click.echo(f"FAIL {result.case.source}")
            for line in testing.describe_failure(result):
                click.echo(line)
    report = testing.coverage(results, registry)
    for ref, rules in sorted(report.items()):
        missing = [f"{rid} ({'no firing case' if not c.fired else 'no non-firing case'})"
                   for rid, c in sorted(rules.items()) if not (c.fired and c.silent)]
        full = len(rules) - len(missing)
        click.echo(f"coverage {ref}: {full}/{len(rules)} rules with a firing and a non-firing case")
        for item in missing:
            click.echo(f"  missing: {item}")
    share = testing.covered_share(report)
    from .authoring import thresholdcoverage

    thresholds, untraced = thresholdcoverage.threshold_coverage(results, registry)
    for line in thresholdcoverage.summary_lines(thresholds) + [f"untraced: {u}" for u in untraced]:
        click.echo(line)
    threshold_share = thresholdcoverage.covered_share(thresholds)
    failed = sum(not r.passed for r in results)
    click.echo(f"{len(results) - failed} passed, {failed} failed; rule coverage {share:.1f}%, "
               f"threshold coverage {threshold_share:.1f}%")
    if json_report:
        testing.write_json(Path(json_report), results, report, thresholdcoverage.to_json(thresholds))
    if junit:
        testing.write_junit(Path(junit), results)
    if (failed or not results or (min_coverage is not None and share < min_coverage)
            or (min_threshold_coverage is not None and (threshold_share < min_threshold_coverage or untraced))):
        sys.exit(1)


@main.group()
def pack() -> None:
    """Inspect, check and create packs."""


@pack.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--installed-packs/--no-installed-packs", default=True, show_default=True,
              help="Check periods against, and run fixtures beside, the installed packs.")
def pack_check(paths, installed_packs) -> None:
    """Lint pack directories before publishing: one line per finding, exit 1 on any (warnings go to stderr)."""
    from .authoring.packcheck import check_with_warnings

    findings, warnings = check_with_warnings(paths, installed=installed_packs)
    for line in warnings:
        click.echo(f"warning: {line}", err=True)
    for line in findings:
        click.echo(line)
    if findings:
        sys.exit(1)
    click.echo(f"{len(paths)} pack(s) checked: no findings", err=True)


@pack.command("new")
@click.argument("locality")
@click.option("--from", "source_ref", default=None, help="Start from this pack's rules, thresholds and fixtures.")
@click.option("--id", "pack_id", default=None, help="The new pack's id.  [default: LOCALITY_YEAR]")
@click.option("--dir", "directory", default=None, type=click.Path(file_okay=False),
              help="Where to write it.  [default: ./ID]")
@pack_path_option
def pack_new(locality, source_ref, pack_id, directory, pack_paths) -> None:
    """Write a new pack directory for LOCALITY, with TODOs for its author (see `pack check`)."""
    from pathlib import Path

    from .authoring.scaffold import ScaffoldError, default_id, scaffold

    try:
        source = _registry(pack_paths).get(source_ref) if source_ref else None
    except PolicyError as exc:
        raise click.ClickException(exc.message) from None
    pack_id = pack_id or default_id(locality, source)
    target = Path(directory) if directory else Path.cwd() / pack_id
    try:
        written = scaffold(locality, target, pack_id, source)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {target}: {', '.join(str(p.relative_to(target)) for p in written)}")
    click.echo(f"next: resolve its TODOs, then `policyhub pack check {target}` and `pip install -e {target}`")


@pack.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="The GetPack answer as JSON.")
@pack_path_option
def pack_show(ref, as_json, pack_paths) -> None:
    """A pack's manifest, rules with citations and severities, thresholds and interpretations."""
    from google.protobuf import json_format

    from .api.service import pack_detail

    try:
        found = _registry(pack_paths).get(ref)
    except PolicyError as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        _dump(json_format.MessageToDict(pack_detail(found), preserving_proto_field_name=True))
        return
    click.echo(f"{found.ref}  {found.title['zh']}")
    click.echo(f"  {found.title['en']}")
    click.echo(f"  locality {found.locality}; in force {found.period_text()}; {found.document}")
    click.echo(f"  issued by {found.issuing_body['zh']}; source {found.source_seed}")
    if found.uses:
        click.echo(f"  uses rule libraries: {', '.join(found.uses)}")
    click.echo(f"rules ({len(found.rules)}):")
    for rule in found.rules:
        yields = [rule.severity or ""] + (["grade"] if rule.grade else [])
        yields += [c["code"] if isinstance(c, dict) else c for c in rule.consequences]
        yields += [f"{c} (by case)" for c in rule.fact_consequences]
        click.echo(f"  {rule.id:52} [{rule.document or found.document} {rule.clause}] {' '.join(y for y in yields if y)}")
        if rule.spec is not None:  # declared as data: the condition in words, each threshold with its clause
            click.echo(f"      for each {rule.spec.fact_type}: {rule.spec.words}")
    click.echo("interpretations:")
    for item in found.interpretations:
        value = found.thresholds.get(item.setting)
        click.echo(f"  {item.id}: {item.setting} = {value!r} (default {item.default!r}) — {item.text['en']}")
    click.echo("thresholds:")
    from .ruledata.trace import rules_reading, threshold_text
    from .rules.thresholds import flatten

    readers = rules_reading(found)
    for key, value in sorted(flatten(found.thresholds_data).items()):
        source = found.threshold_sources.get(key, {})
        cited = f" ({source['clause']}: {source['quote']})" if source.get("quote") else (
            f" ({source['clause']})" if source.get("clause") else "")
        click.echo(f"  {key} = {threshold_text(value)}{cited}")
        if readers.get(key):
            click.echo(f"      read by {', '.join(readers[key])}")


@pack.command("lock")
@click.option("--output", "-o", default="policyhub.lock", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the lock file.")
@click.option("--installed-packs/--no-installed-packs", default=True, show_default=True,
              help="Pin the packs of installed distributions (else only --pack-path).")
@pack_path_option
def pack_lock(output, installed_packs, pack_paths) -> None:
    """Pin every loaded pack's files by SHA-256, for `serve --lock-file`.

    Only packs that load are pinned: a broken pack is reported and the command exits 1.
    """
    from .domain.errors import PackLoadError
    from .packs.integrity import PackLock
    from .packs.registry import PackRegistry

    try:
        registry = PackRegistry.discover(pack_paths, installed=installed_packs, strict=True)
    except PackLoadError as exc:
        for finding in exc.findings:
            click.echo(finding, err=True)
        sys.exit(1)
    packs = registry.packs()
    PackLock.of((p.ref, p.directory) for p in packs).write(output)
    registry.close()
    click.echo(f"locked {len(packs)} packs in {output}")


@main.group()
def decisions() -> None:
    """The decision record: show, list, replay and verify kept decisions (reads the store directly)."""


def _open_decisions(decision_store, state_dir, decision_key_file, retention_days, decision_store_sync,
                    decision_store_max_mb, need_key: bool = False):
    from .store.pseudonym import Pseudonymiser

    config = _store_config(decision_store, state_dir, decision_key_file, retention_days, decision_store_sync,
                           decision_store_max_mb)
    if not config.enabled:
        raise click.UsageError("the decision record is off (--decision-store none)")
    try:
        if not (config.is_postgresql and not need_key):  # the key is needed only to pseudonymise a clear subject id
            config.check()
        store = config.open()
        if not config.is_postgresql and not store.path.exists():
            raise click.ClickException(f"no decision store at {store.path}")
        return store, (Pseudonymiser(config.key()) if need_key else None)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _record_json(row: dict) -> dict:
    from google.protobuf import json_format

    from .store.service import record_message

    data = json_format.MessageToDict(record_message(row), preserving_proto_field_name=True)
    data.update(seq=row["seq"], input=json.loads(row["input"]), trace=json.loads(row["trace"]))  # ints stay ints
    return data


@decisions.command("show")
@click.argument("decision_id")
@decision_store_options
def decisions_show(decision_id, **store_options) -> None:
    """One record: input, decision, trace, pack version and chain hashes (JSON)."""
    store, _ = _open_decisions(**store_options)
    try:
        row = store.get(decision_id)
    except PolicyError as exc:
        raise click.ClickException(exc.message) from None
    if row is None:
        raise click.ClickException(f"no decision {decision_id!r} in the record")
    _dump(_record_json(row))


@decisions.command("list")
@click.option("--subject", default="", help="A subject pseudonym (pn:…).")
@click.option("--subject-id", default="", help="A subject's id in clear: pseudonymised with the key, never stored.")
@click.option("--locality", default="")
@click.option("--pack", default="", help="A pack id, or id@version.")
@click.option("--kind", default="")
@click.option("--from", "recorded_from", default="", help="Recorded at or after (ISO date or date-time, UTC).")
@click.option("--to", "recorded_to", default="", help="Recorded before (ISO date or date-time, UTC).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--page-token", default="")
@click.option("--json", "as_json", is_flag=True, help="Full records as JSON lines.")
@decision_store_options
def decisions_list(subject, subject_id, locality, pack, kind, recorded_from, recorded_to, limit, page_token, as_json,
                   **store_options) -> None:
    """Records matching every filter, oldest first; one line each (or --json)."""
    from .store.service import list_filters
    from .v1 import decisions_pb2

    store, pseudonymise = _open_decisions(**store_options, need_key=bool(subject_id))
    request = decisions_pb2.ListDecisionsRequest(subject=subject, subject_id=subject_id, locality=locality, pack=pack,
                                                 kind=kind, recorded_from=recorded_from, recorded_to=recorded_to,
                                                 page_size=limit, page_token=page_token)
    try:
        filters, after, size = list_filters(request, pseudonymise)
        rows = store.list(filters, after, size + 1)
    except PolicyError as exc:
        raise click.ClickException(exc.message) from None
    for row in rows[:size]:
        if as_json:
            click.echo(json.dumps(_record_json(row), ensure_ascii=False))
        else:
            decision = json.loads(row["decision"])
            grades = ",".join(g.get("code", "") for g in decision.get("grades", []))
            consequences = ",".join(c.get("code", "") for c in decision.get("consequences", []))
            click.echo(f"{row['seq']}\t{row['decision_id']}\t{row['recorded_at']}\t{row['locality']}\t"
                       f"{row['pack_id']}@{row['pack_version']}\t{row['kind']}\t{row['subject'] or '-'}\t"
                       f"{row['year'] or '-'}\t{grades or '-'}\t{consequences or '-'}")
    if len(rows) > size:
        click.echo(f"# next page: --page-token {rows[size - 1]['seq']}", err=True)


@decisions.command("replay")
@click.argument("decision_ids", nargs=-1, required=True)
@decision_store_options
def decisions_replay(decision_ids, **store_options) -> None:
    """Re-run each decision on the exact pack version that made it; exit 1 unless all are identical."""
    from .store.replay import replay

    store, _ = _open_decisions(**store_options)
    different = 0
    for decision_id in decision_ids:
        try:
            result = replay(store, decision_id)
        except PolicyError as exc:
            raise click.ClickException(exc.message) from None
        pack = f"{result.pack['id']}@{result.pack['version']} ({result.pack['digest']})"
        if result.identical:
            click.echo(f"{decision_id}: identical on {pack}")
        else:
            different += 1
            click.echo(f"{decision_id}: DIFFERENT on {pack}: {result.difference}")
    sys.exit(1 if different else 0)


@decisions.command("verify")
@decision_store_options
def decisions_verify(**store_options) -> None:
    """Walk the chain: exit 1 if any record was edited, deleted, inserted or reordered."""
    from .store import chain

    store, _ = _open_decisions(**store_options)
    try:
        result = chain.verify(store.rows(), store.anchor())
    except PolicyError as exc:
        raise click.ClickException(exc.message) from None
    for problem in result.problems:
        click.echo(problem)
    click.echo(f"{'ok' if result.ok else 'BROKEN'}: {result.records} records, head seq {result.head_seq} "
               f"hash {result.head_hash}")
    sys.exit(0 if result.ok else 1)
