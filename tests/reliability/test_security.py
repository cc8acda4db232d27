"""Nothing in a request makes the service import, load or execute anything: pack names that look
like modules or paths, localities with path separators, and text made to be evaluated (format
fields, templates, JNDI lookups, Python) are refused or judged, and text comes back verbatim."""

from __future__ import annotations

import subprocess
import sys

import grpc
import pytest

from policyhub.domain.caseio import request_from_dict
from policyhub.domain.errors import PolicyError
from policyhub.evaluation.evaluator import Evaluator
from policyhub.packs.registry import PackRegistry
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.v1 import policyhub_pb2_grpc

from .corpus import DEMO_PACK, FAULTY_PACK

PACK_NAMES = ["os", "sys", "antigravity", "this", "policyhub.cli", "__main__", "../../etc/passwd", "/etc/passwd",
              "demo_2020/../../../etc/passwd", "demo_2020@../../x", "demo_2020@1.0.0;rm -rf /",
              "file:///etc/passwd", "http://127.0.0.1:1/pack", "policy_packs/yuyao_2011", "demo_2020\x00.py",
              "importlib", "policyhub_pack_yuyao_2011"]
LOCALITIES = ["../demo", "demo/../../etc", "/etc", "demo\x00", "..", "~", "$HOME", "demo;ls"]


def evil_texts(canary) -> list[str]:
    return [
        "{0.__class__}", "{text.__class__.__mro__}", "{copies.__init__.__globals__}", "{{7*7}}", "{}", "{0}",
        "${jndi:ldap://127.0.0.1:1/a}", "%s%s%n", "#{7*7}", "<%= 7*7 %>",
        f"__import__('pathlib').Path('{canary}').write_text('x')",
        f"{{0.__init__.__globals__[os].system('touch {canary}')}}",
        f"!!python/object/apply:os.system ['touch {canary}']",
    ]


@pytest.fixture(scope="module")
def stub(reliability_channel):
    return policyhub_pb2_grpc.PolicyHubStub(reliability_channel)


def packs_served(stub) -> list[tuple[str, str]]:
    return [(p.id, p.version) for p in stub.ListPacks(pb.ListPacksRequest(), timeout=10).packs]


def test_pack_names_that_look_like_modules_or_paths_load_nothing(stub):
    before = packs_served(stub)
    for name in PACK_NAMES:
        request = request_from_dict({"pledge": {"copies": 4}})
        request.pack = name
        with pytest.raises(grpc.RpcError) as caught:
            stub.Evaluate(request, timeout=10)
        assert caught.value.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND), name
        with pytest.raises(grpc.RpcError) as caught:
            stub.GetPack(pb.GetPackRequest(pack=name), timeout=10)
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND, name
    for locality in LOCALITIES:
        with pytest.raises(grpc.RpcError) as caught:
            stub.Evaluate(request_from_dict({"locality": locality, "date": "2020-06-01", "pledge": {}}), timeout=10)
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION, locality
    assert packs_served(stub) == before


def test_pack_names_import_no_module_in_process():
    evaluator = Evaluator(PackRegistry.discover([DEMO_PACK], installed=False))
    warm_up = request_from_dict({"pack": "no_such_pack", "pledge": {"copies": 4}})
    with pytest.raises(PolicyError):  # whatever evaluating and refusing import lazily, imported now
        evaluator.evaluate(warm_up)
    evaluator.evaluate(request_from_dict({"pack": "demo_2020", "pledge": {"copies": 4}}))
    assert "antigravity" not in sys.modules and "this" not in sys.modules
    modules_before = set(sys.modules)
    for name in PACK_NAMES:
        request = request_from_dict({"pledge": {"copies": 4}})
        request.pack = name
        with pytest.raises(PolicyError):
            evaluator.evaluate(request)
    assert set(sys.modules) - modules_before == set()


def test_text_made_to_be_evaluated_comes_back_verbatim(stub, tmp_path):
    canary = tmp_path / "canary"
    texts = evil_texts(canary)
    request = request_from_dict({"locality": "faulty", "date": "2020-05-05", "trace": True,
                                 "pledge": {"copies": 3, "items": [{"text": t} for t in texts]}})
    decision = stub.Evaluate(request, timeout=10)
    echoes = [v for v in decision.notes if v.rule_id == "faulty_2020.pledge.echo"]  # info: a note
    assert sorted((v.path, v.message.en, v.message.zh) for v in echoes) == sorted(
        (f"pledge.items[{i}].text", f"item: {t}", f"事项：{t}") for i, t in enumerate(texts))
    matched = [dict(m) for e in decision.trace if e.rule_id == "faulty_2020.pledge.echo" for m in e.matched]
    assert sorted(m["text"] for m in matched) == sorted(texts)
    assert not canary.exists()


def test_evil_text_in_every_bundled_request_is_judged_and_executes_nothing(stub, tmp_path):
    """The same strings in the free-text and name fields of bundled requests, evaluated by every pack."""
    from .corpus import fixture_requests

    canary = tmp_path / "canary"
    texts = evil_texts(canary)
    sent = 0
    for n, (_, data) in enumerate(fixture_requests()[::4]):
        try:
            request = request_from_dict(data)
        except PolicyError:
            continue
        kind = request.WhichOneof("submission")
        submission = getattr(request, kind)
        text = texts[n % len(texts)]
        for field in ("courtyard", "scheme"):  # free text of a pledge; a ballot's scheme is a name the pack checks
            if field in submission.DESCRIPTOR.fields_by_name:
                setattr(submission, field, text)
        submission.extra.update({"note": text, "level": text, "stage": text, "half_year": text})
        try:
            stub.Evaluate(request, timeout=30)
        except grpc.RpcError as error:
            assert error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION,
                                    grpc.StatusCode.NOT_FOUND), error.details()
        sent += 1
    assert sent > 80 and not canary.exists()


def test_the_case_loader_refuses_python_yaml_tags(tmp_path):
    canary = tmp_path / "canary"
    case = tmp_path / "case.yaml"
    case.write_text(f"locality: demo\ndate: 2020-06-01\npledge: !!python/object/apply:os.system ['touch {canary}']\n")
    cases = tmp_path / "cases.yaml"
    cases.write_text("cases:\n  - name: tagged\n    request: !!python/object/new:os.system\n"
                     f"      args: ['touch {canary}']\n    expect: {{compliant: true}}\n")
    for command in (["eval", str(case), "--pack-path", str(DEMO_PACK)], ["test", str(cases), "--pack-path", str(DEMO_PACK)]):
        done = subprocess.run([sys.executable, "-m", "policyhub", *command], capture_output=True, text=True, timeout=120)
        assert done.returncode == 1
        assert "could not determine a constructor" in done.stderr and "Traceback" not in done.stderr
    assert not canary.exists()


def test_a_format_field_in_a_message_only_reads_the_facts_own_fields():
    """The templates are the pack's; a submission's text is a value, never a template."""
    evaluator = Evaluator(PackRegistry.discover([FAULTY_PACK], installed=False))
    request = request_from_dict({"locality": "faulty", "date": "2020-05-05",
                                 "pledge": {"copies": 1, "items": [{"text": "{copies}"}]}})
    decision = evaluator.evaluate(request)
    assert sorted(v.message.en for v in [*decision.violations, *decision.notes]) == ["item: {copies}",
                                                                                    "too few copies: 1"]
