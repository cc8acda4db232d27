"""The policyhub-client command against a live server, and the client without the server package."""

import json
import os
import subprocess
import sys
from importlib import metadata

from cases import REPO, example, fixture_cases, without_id


def run_cli(server, *args, stdin=None, python_prelude=None):
    env = dict(os.environ, POLICYHUB_TARGET=server.target)
    command = [sys.executable, "-m", "policyhub_client", *args]
    if python_prelude:
        command = [sys.executable, "-c", python_prelude + "\nfrom policyhub_client.cli import main\nsys.exit(main())",
                   *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, input=stdin, timeout=300)


def _jsonl(tmp_path, lines):
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _json_documents(text):
    """The JSON documents of a stream of pretty-printed ones."""
    decoder, documents, position = json.JSONDecoder(), [], 0
    while text[position:].strip():
        position = len(text) - len(text[position:].lstrip())
        document, position = decoder.raw_decode(text, position)
        documents.append(document)
    return documents


def _fixture_lines():
    return [json.dumps(c["request"], ensure_ascii=False) for c in fixture_cases("yuyao_2011", "pledge.yaml")[:3]]


def test_jsonl_in_jsonl_out_in_order_with_sources_and_errors(server, client, tmp_path):
    good = _fixture_lines()
    unknown_pack = json.dumps(dict(example("examples/yuyao_2011/member_pledge.yaml"), pack="no_such_pack_1999"))
    path = _jsonl(tmp_path, [good[0], good[1], good[2], "", "{not json", unknown_pack])
    done = run_cli(server, "eval", "--jsonl", "--no-progress", str(path))
    assert done.returncode == 1, done.stderr  # some requests got errors
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r["source"] for r in results] == [f"{path}:{n}" for n in (1, 2, 3, 5, 6)]
    for line, result in zip(good, results[:3]):
        assert without_id(result["decision"]) == without_id(client.evaluate(json.loads(line)))
    assert results[3]["error"]["code"] == "INVALID_ARGUMENT"
    assert results[3]["error"]["field_violations"][0]["description"].startswith("line 5: not valid JSON")
    assert results[4]["error"]["code"] == "NOT_FOUND"
    assert done.stderr == ""


def test_jsonl_from_stdin_with_a_progress_bar(server, tmp_path):
    lines = _fixture_lines()
    done = run_cli(server, "eval", "--jsonl", "--progress", "--batch-size", "2", "-", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3
    assert "3req" in done.stderr.replace(" ", "")  # tqdm's count, with no total known for stdin


def test_a_progress_bar_knows_the_total_of_files(server, tmp_path):
    path = _jsonl(tmp_path, _fixture_lines())
    done = run_cli(server, "eval", "--jsonl", "--progress", str(path))
    assert done.returncode == 0, done.stderr
    assert "3/3" in done.stderr


def test_yaml_files_fixture_cases_and_fixture_files(server, client):
    ballots = REPO / "policy_packs" / "town_shuangshu_2010" / "fixtures" / "ballot.yaml"
    pledge = REPO / "examples" / "yuyao_2011" / "member_pledge.yaml"
    done = run_cli(server, "eval", str(pledge), str(ballots))
    assert done.returncode == 0, done.stderr
    results = _json_documents(done.stdout)
    cases = fixture_cases("town_shuangshu_2010", "ballot.yaml")
    assert len(results) == 1 + len(cases)
    assert results[0]["source"] == str(pledge)
    assert results[1]["source"] == f"{ballots}#{cases[0]['name']}"
    assert without_id(results[1]["decision"]) == without_id(client.evaluate(cases[0]["request"]))


def test_an_unreachable_server_is_a_failed_run_not_a_result(server, tmp_path):
    path = _jsonl(tmp_path, _fixture_lines())
    done = run_cli(server, "eval", "--jsonl", "--target", "127.0.0.1:1", "--max-attempts", "2", str(path))
    assert done.returncode == 2
    assert "UNAVAILABLE" in done.stderr and done.stdout == ""


def test_packs_and_pack(server, client):
    done = run_cli(server, "packs", "--locality", "yuyao")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == client.list_packs(locality="yuyao")
    done = run_cli(server, "pack", "no_such_pack_1999")
    assert done.returncode == 2 and "NOT_FOUND" in done.stderr


def test_the_client_needs_neither_the_server_package_nor_durable_rules(server, tmp_path):
    requirements = metadata.requires("policyhub-client") or []
    assert not [r for r in requirements if r.lower().startswith(("policyhub", "durable"))]
    blocker = """
import importlib.abc, sys
class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('policyhub', 'durable_rules', 'durable'):
            raise ImportError('blocked for this test: ' + name)
sys.meta_path.insert(0, Blocked())
"""
    path = _jsonl(tmp_path, _fixture_lines())
    done = run_cli(server, "eval", "--jsonl", str(path), python_prelude=blocker)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3
