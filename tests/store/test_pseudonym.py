"""Pseudonyms (keyed HMAC) and the group commit, without a database server."""

from __future__ import annotations

import threading

import orjson
import pytest

from policyhub.store.base import Outcome, Pending, StoreUnavailable
from policyhub.store.pseudonym import Pseudonymiser, Replacer
from policyhub.store.recorder import GroupCommit

KEY = b"k" * 32


def test_equal_values_get_equal_pseudonyms_and_another_key_others():
    one, other = Pseudonymiser(KEY), Pseudonymiser(b"x" * 32)
    assert one("张三") == one("张三") != one("李四")
    assert one("张三") != other("张三")
    assert one("张三").startswith("pn:") and "张三" not in one("张三")
    assert one(one("张三")) == one("张三")  # a stored (pseudonymised) input replays unchanged
    with pytest.raises(ValueError):
        Pseudonymiser(b"short")


def test_personal_fields_and_contacts_in_free_text_are_replaced_codes_are_not():
    p = Pseudonymiser(KEY)
    pledge = {"id": "P-001", "member": {"id": "M-17", "name": "张三", "phone": "0574-1234567", "roles": ["two_committees"]},
              "organization": {"id": "O-3", "name": "某村党支部"},
              "supervision": {"phone": "0574-7654321", "email": "jd@example.cn"},
              "items": [{"category": "post", "text": "张三承诺 联系电话 13912345678 邮箱 zs@mail.example.cn", "due": "2011-12-31"}],
              "linked_households": [{"head_name": "李四", "phone": "13800001111"}],
              "extra": {"note": "call 0574-88889999"}}
    out, replaced = p.submission("pledge", pledge)
    text = Replacer(replaced).json(orjson.dumps(out).decode())
    for clear in ("张三", "0574-1234567", "0574-7654321", "jd@example.cn", "13912345678", "zs@mail.example.cn",
                  "李四", "13800001111", "0574-88889999", '"M-17"'):
        assert clear not in text, clear
    stored = orjson.loads(text)
    assert stored["member"]["id"] == p("M-17") and stored["member"]["roles"] == ["two_committees"]
    assert stored["id"] == "P-001" and stored["organization"]["id"] == "O-3"  # documents' and bodies' ids stay
    assert stored["items"][0]["text"] == f"{p('张三')}承诺 联系电话 {p('13912345678')} 邮箱 {p('zs@mail.example.cn')}"
    assert stored["items"][0]["category"] == "post" and stored["items"][0]["due"] == "2011-12-31"
    ballot = {"subject": {"id": "M-1", "name": "王五"}, "rounds": [{"name": "village", "month": "2010-12"}],
              "extra": {"ref": "M-17", "n": "第1项 M-1"}}
    out, replaced = p.submission("ballot", ballot)
    stored = orjson.loads(Replacer(replaced).json(orjson.dumps(out).decode()))
    assert stored["rounds"][0]["name"] == "village"  # Round.name is a code
    assert stored["subject"] == {"id": p("M-1"), "name": p("王五")}
    assert stored["extra"] == {"ref": "M-17", "n": "第1项 M-1"}  # a short id is replaced only as a whole value


def test_group_commit_shares_commits_and_fails_every_call_of_a_failed_one():
    calls: list[int] = []
    gate = threading.Event()

    def append(pending):
        calls.append(len(pending))
        if len(calls) == 1:
            gate.wait(5)  # the first commit is slow: the others queue behind it
        return [Outcome("recorded", p.row) for p in pending]

    group = GroupCommit(append)
    results = []
    threads = [threading.Thread(target=lambda n=n: results.append(group.submit(Pending({"n": n})).row["n"])) for n in range(8)]
    threads[0].start()
    while not calls:
        pass
    for thread in threads[1:]:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(10)
    assert sorted(results) == list(range(8))
    assert sum(calls) == 8 and len(calls) < 8  # fewer commits than calls

    def down(pending):
        raise StoreUnavailable("decision store unavailable: test")

    with pytest.raises(StoreUnavailable):
        GroupCommit(down).submit(Pending({}))
