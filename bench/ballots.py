"""Seeded ballot requests for town_shuangshu_2010, and the same policy written two other ways.

`generate(n, seed)` makes canonical-JSON requests whose tallies reach every grade, leave some
undecided (blank votes), and break each `core.ballot.*` check now and then. `reference(...)` is
the policy as a plain Python function; `zen_input(...)` is what bench/town_grading.jdm.json
needs (the per-round sums computed here, every comparison made by zen-engine). `zen_outcome`
and `decision_outcome` turn each engine's answer into one comparable shape: (grade or None,
sorted fired rule ids, a rule once per match).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from policyhub.rules.thresholds import parse_ratio

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "policy_packs" / "town_shuangshu_2010"
JDM_PATH = Path(__file__).resolve().parent / "town_grading.jdm.json"
GRADES = ("excellent", "competent", "basically_competent", "incompetent")
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "建国振华丽萍德顺海涛秀英志强"


def thresholds() -> dict[str, Any]:
    from policyhub.packs.pack import split_threshold_sources

    # thresholds may be written {value, clause, quote}: the values
    return split_threshold_sources([], yaml.safe_load((PACK_DIR / "thresholds.yaml").read_text(encoding="utf-8")))[0]


def _tallies(rng: random.Random, valid: int, lean: str) -> dict[str, int]:
    """Votes of `valid` ballots leaning to one grade; a few ballots may be left blank."""
    weights = {g: rng.random() for g in GRADES}
    weights[lean] += rng.choice((1.0, 2.5, 6.0))  # from a slight to an overwhelming lean
    blank = rng.choice((0, 0, 0, 0.1, 0.4, 0.7)) * rng.random()
    votes = round(valid * (1 - blank))
    total = sum(weights.values())
    tallies = {g: int(votes * w / total) for g, w in weights.items()}
    tallies[lean] += votes - sum(tallies.values())
    return {g: n for g, n in tallies.items() if n or rng.random() < 0.5}


def _round(rng: random.Random, name: str, lean: str) -> dict[str, Any]:
    eligible = rng.randint(12, 160)
    cast = rng.randint(max(1, eligible * 7 // 10), eligible)
    invalid = rng.choice((0, 0, 0, 1, 2, 3))
    round_ = {"name": name, "month": "2010-12", "eligible": eligible, "cast": cast, "invalid": invalid,
              "tallies": _tallies(rng, cast - invalid, lean)}
    if rng.random() < 0.15:
        del round_["eligible"]  # eligible is optional
    return round_


# Tallies exactly at a bar (per 10 valid ballots): “以上” is inclusive, so these decide the grade.
_AT_THE_BAR = (
    {"excellent": 7, "competent": 1, "basically_competent": 1, "incompetent": 1},  # 70% excellent
    {"excellent": 6, "basically_competent": 2, "incompetent": 2},  # 60% competent-or-better
    {"excellent": 1, "competent": 2, "basically_competent": 2, "incompetent": 5},  # 50% incompetent
    {"excellent": 1, "competent": 1, "basically_competent": 3, "incompetent": 2},  # 50% basic-or-better, 3 blank
)


def _at_the_bar(rng: random.Random, round_: dict[str, Any]) -> None:
    """Make the round's valid ballots a multiple of 10 with tallies exactly at one of the bars."""
    k = rng.randint(1, 12)
    round_["cast"], round_["invalid"] = 10 * k, 0
    round_["eligible"] = 10 * k + rng.randint(0, 5)
    round_["tallies"] = {option: n * k for option, n in rng.choice(_AT_THE_BAR).items()}


def _break(rng: random.Random, round_: dict[str, Any]) -> None:
    """Make one core.ballot check fail on this round."""
    kind = rng.choice(("tally_excess", "cast_excess", "empty", "unknown"))
    if kind == "tally_excess":
        round_["tallies"]["incompetent"] = round_["tallies"].get("incompetent", 0) + rng.randint(1, 9)
        round_["tallies"]["excellent"] = round_["tallies"].get("excellent", 0) + round_["cast"]
    elif kind == "cast_excess":
        round_["eligible"] = max(round_["cast"] - rng.randint(1, 5), 0)
    elif kind == "empty":
        round_["invalid"] = round_["cast"]
        round_["tallies"] = {}
    else:
        round_["tallies"][rng.choice(("qualified", "good", "poor"))] = rng.randint(1, 5)


def generate(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    requests = []
    for i in range(n):
        lean = rng.choice(GRADES)
        roll = rng.random()
        if roll < 0.04:  # not exactly one village and one town round
            names = rng.choice((["village"], ["town"], ["village", "village", "town"], ["village", "town", "town"]))
        else:
            names = ["village", "town"]
        rounds = [_round(rng, name, rng.choice(GRADES) if rng.random() < 0.2 else lean) for name in names]
        if rng.random() < 0.1:
            for round_ in rounds:
                _at_the_bar(rng, round_)
        if rng.random() < 0.5:
            rounds.reverse()  # order of the rounds does not matter
        if 0.04 <= roll < 0.16:
            _break(rng, rng.choice(rounds))
        ballot = {
            "purpose": "evaluation",
            "year": 2010,
            "subject": {"id": f"S-{i:06d}", "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                        "kind": "individual", "role": "village_secretary"},
            "rounds": rounds,
        }
        if rng.random() < 0.5:
            ballot["final_grade"] = rng.choice(GRADES)
        requests.append({"request_id": f"r{i}", "locality": "town_2010", "date": "2010-12-30", "ballot": ballot})
    return requests


# ---- the policy, read once from thresholds.yaml ----------------------------------------------

@dataclass(frozen=True)
class Policy:
    """What town_shuangshu_2010's thresholds.yaml says, parsed once (as any user's code would)."""

    schemes: dict[str, list[str]]
    default_scheme: str
    required_rounds: tuple[str, ...]
    share_base: str
    cumulative: bool
    incompetent_combined: Fraction
    excellent_each_round: Fraction
    competent_each_round: Fraction
    basically_competent_combined: Fraction

    @classmethod
    def load(cls) -> "Policy":
        t = thresholds()
        g = t["grade"]
        return cls(
            schemes=t["ballot"]["schemes"],
            default_scheme=t["ballot"]["default_scheme"],
            required_rounds=tuple(t["ballot"]["rounds"]),
            share_base=t["ballot"]["share_base"],
            cumulative=bool(g["cumulative"]),
            **{k: parse_ratio(g[k], k) for k in
               ("incompetent_combined", "excellent_each_round", "competent_each_round", "basically_competent_combined")},
        )

    def options(self, ballot: dict[str, Any]) -> list[str]:
        return self.schemes.get(ballot.get("scheme") or self.default_scheme, [])

    def counted(self, option: str, options: list[str], cumulative: bool | None = None) -> list[str]:
        """The options whose votes count for `option` (with cumulative votes, every higher one too)."""
        cumulative = self.cumulative if cumulative is None else cumulative
        return options[: options.index(option) + 1] if cumulative else [option]


def _round_numbers(r: dict[str, Any], options: list[str]) -> dict[str, Any]:
    """One round's sums, as the core checks need them (a missing cast is tallies + invalid)."""
    tallies = r.get("tallies") or {}
    tally_total = sum(tallies.values())
    invalid = r.get("invalid", 0)
    cast = r["cast"] if r.get("cast") is not None else tally_total + invalid
    return {
        "name": r.get("name", ""),
        "tallies": tallies,
        "cast": cast,
        "valid": max(cast - invalid, 0),
        "eligible": r.get("eligible"),
        "tally_total": tally_total,
        "has_unknown": any(k not in options for k in tallies),
    }


# ---- 1. the policy as a plain Python function ------------------------------------------------

def reference(ballot: dict[str, Any], p: Policy) -> tuple[str | None, list[str]]:
    """Grade and fired rule ids: core checks, round check, grade, consequences; exact integer arithmetic."""
    options = p.options(ballot)
    fired: list[str] = []
    usable = []
    names = []
    for r in ballot.get("rounds", ()):
        n = _round_numbers(r, options)
        ok = True
        if n["tally_total"] > n["valid"]:
            fired.append("core.ballot.tally-exceeds-cast")
            ok = False
        if n["eligible"] is not None and n["cast"] > n["eligible"]:
            fired.append("core.ballot.cast-exceeds-eligible")
            ok = False
        if n["valid"] <= 0:
            fired.append("core.ballot.empty-round")
            ok = False
        if n["has_unknown"]:
            fired.append("core.ballot.unknown-option")
            ok = False
        names.append(n["name"])
        if ok:
            usable.append((n["tallies"], n["valid"] if p.share_base == "valid" else n["cast"]))
    if sorted(names) != sorted(p.required_rounds):
        fired.append("town_shuangshu_2010.ballot.rounds")
        return None, sorted(fired)
    if len(usable) != len(p.required_rounds):
        return None, sorted(fired)

    def votes(tallies: dict[str, int], option: str, cumulative: bool | None = None) -> int:
        return sum(tallies.get(o, 0) for o in p.counted(option, options, cumulative))

    def combined(option: str, bar: Fraction, cumulative: bool | None = None) -> bool:
        v = sum(votes(t, option, cumulative) for t, _ in usable)
        return v * bar.denominator >= bar.numerator * sum(base for _, base in usable)

    def each(option: str, bar: Fraction) -> bool:
        return all(votes(t, option) * bar.denominator >= bar.numerator * base for t, base in usable)

    if combined("incompetent", p.incompetent_combined, cumulative=False):
        grade = "incompetent"
    elif each("excellent", p.excellent_each_round):
        grade = "excellent"
    elif each("competent", p.competent_each_round):
        grade = "competent"
    elif combined("basically_competent", p.basically_competent_combined):
        grade = "basically_competent"
    else:
        fired.append("town_shuangshu_2010.ballot.undecided")
        grade = ballot.get("final_grade") if ballot.get("final_grade") in options else None
    if grade is not None:
        fired += ["town_shuangshu_2010.ballot.grade", "town_shuangshu_2010.ballot.pay-link"]
        if grade == "incompetent":
            fired.append("town_shuangshu_2010.ballot.incompetent-consequence")
    return grade, sorted(fired)


# ---- 2. the policy as a zen-engine decision graph (bench/town_grading.jdm.json) --------------

def _decimal(share: Fraction) -> float:
    """A threshold as zen reads it; only shares with a finite decimal expansion pass exactly."""
    d = share.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        raise ValueError(f"{share} has no exact decimal form for zen-engine")
    return float(share)


def zen_thresholds(p: Policy) -> dict[str, float]:
    return {k: _decimal(getattr(p, k)) for k in
            ("incompetent_combined", "excellent_each_round", "competent_each_round", "basically_competent_combined")}


def zen_input(ballot: dict[str, Any], p: Policy, t: dict[str, float]) -> dict[str, Any]:
    """Python sums the votes (per round and across rounds); zen makes every check and comparison."""
    options = p.options(ballot)
    rounds = [_round_numbers(r, options) for r in ballot.get("rounds", ())]
    names_ok = sorted(r["name"] for r in rounds) == sorted(p.required_rounds)
    context: dict[str, Any] = {
        "t": t,
        "options": options,
        "final_grade": ballot.get("final_grade"),
        "names_ok": names_ok,
        "rounds": [{k: r[k] for k in ("cast", "valid", "eligible", "tally_total", "has_unknown")} for r in rounds],
    }
    if names_ok:
        base_combined = 0
        for r in rounds:
            base = r["valid"] if p.share_base == "valid" else r["cast"]
            base_combined += base
            tallies = r["tallies"]
            context[r["name"]] = {
                "base": base,
                "excellent": sum(tallies.get(o, 0) for o in p.counted("excellent", options)),
                "competent": sum(tallies.get(o, 0) for o in p.counted("competent", options)),
            }
        context["base_combined"] = base_combined
        context["incompetent_combined"] = sum(r["tallies"].get("incompetent", 0) for r in rounds)
        context["basically_competent_combined"] = sum(
            r["tallies"].get(o, 0) for r in rounds for o in p.counted("basically_competent", options))
    return context


def zen_outcome(result: dict[str, Any]) -> tuple[str | None, list[str]]:
    fired = [hit["rule"] for per_round in result["core"] for hit in per_round]
    if result["rounds_mismatch"]:
        fired.append("town_shuangshu_2010.ballot.rounds")
    if result["undecided"]:
        fired.append("town_shuangshu_2010.ballot.undecided")
    grade = result.get("grade")
    if grade is not None:
        fired += ["town_shuangshu_2010.ballot.grade", "town_shuangshu_2010.ballot.pay-link"]
    if any(c["code"] == "admonition_talk" for c in result["consequences"]):
        fired.append("town_shuangshu_2010.ballot.incompetent-consequence")
    return grade, sorted(fired)


# ---- 3. policyhub's Decision, in the same shape ----------------------------------------------

def decision_outcome(decision) -> tuple[str | None, list[str]]:
    # info findings (the pay link) are the decision's notes
    fired = [v.rule_id for v in decision.violations] + [n.rule_id for n in decision.notes] + [g.rule_id for g in decision.grades]
    fired += sorted({c.rule_id for c in decision.consequences if c.code == "admonition_talk"})
    return (decision.grades[0].code if decision.grades else None), sorted(fired)
