"""Turning a validated submission into the plain dict that derive functions read."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message


def submission_dict(message: Message) -> dict[str, Any]:
    """The canonical JSON of a submission; unset fields are absent."""
    data = json_format.MessageToDict(message, preserving_proto_field_name=True)
    if "ballots" in data:
        tally_raw_ballots(data)
    return data


def tally_raw_ballots(ballot: dict[str, Any]) -> None:
    """Add raw ballot papers to their rounds' tallies (vocabulary: `ballots` may stand in for `tallies`).

    A round that only raw ballots name is created; its `cast` is the number of its papers.
    """
    rounds = {r.get("name", ""): r for r in ballot.setdefault("rounds", [])}
    for paper in ballot.pop("ballots"):
        name = paper.get("round", "")
        round_ = rounds.get(name)
        if round_ is None:
            round_ = rounds[name] = {"name": name, "tallies": {}, "cast": 0, "_from_papers": True}
            ballot["rounds"].append(round_)
        tallies = round_.setdefault("tallies", {})
        choice = paper.get("choice", "")
        tallies[choice] = tallies.get(choice, 0) + 1
        if round_.get("_from_papers"):
            round_["cast"] += 1
    for round_ in ballot["rounds"]:
        round_.pop("_from_papers", None)
