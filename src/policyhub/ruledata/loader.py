"""Rule data: a pack's (or a library's) rules.yaml read, checked and compiled.

    facts:                 # measurements the rules read (see schema.py); the submission kinds are built in
      two_rounds: {base: number, incompetent: number, rounds: {list: {...}, max: 2}}
    conditions:            # named conditions, used by name in rules
      incompetent_votes: share(incompetent, base) >= grade.incompetent_combined
    rules:
      - id: town_shuangshu_2010.ballot.undecided
        clause: 五、3
        kinds: [ballot]
        for: two_rounds                   # the fact type the condition reads
        when: not (incompetent_votes or …)
        severity: warning                 # error | warning | info; absent: grades/consequences only
        message: {zh: …{basis}…, en: …}   # placeholders: fields of the fact type, or threshold keys
                                          # (their values written in when the pack loads)
        path: ballot.rounds               # what a violation points at (a fact's own `path` wins)
        consequences: [admonition_talk]
        grade:                            # a grade rule: the first branch that holds decides
          - {code: incompetent, when: incompetent_votes}
          - {code_from: committee_grade, when: "committee_grade != ''"}
        after: <a grade rule's id>        # fires with that rule's grade; `when` may read `grade`
        steps:                            # consequences by degree: with `when`, the first step that holds
          - {when: run >= escalation.removal_run, consequences: [dismissal], fields: {measures_en: dismissal}}
          - {when: …, consequences: [household_sign.signs.qualified]}   # a code written as a threshold key
          - {severity: info}              # no consequence: a note (a step's severity, else the rule's)
        document: …                       # the citation's document, when not the pack's own
        fact_consequences: [dismissal, …] # the codes a fact's own `consequences` list may bring
                                          # (chosen by a role): the fact type declares `consequences: {list: text}`

A library's rules may be the pack's own: `id: "{pack}.meeting.window"` (and `after: "{pack}.…"`)
takes the id of the pack that uses the library, so packs sharing a library keep their own ids.

Each rule becomes one `Rule` (its id, clause, message … exactly as a Python rule has them) and one
engine condition per branch (a grade rule has one per branch, each excluding the ones before it;
an `after` rule one per branch of its grade rule that its `when` admits). Anything wrong is a
finding naming the file, the rule id and the field.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, cast

from ..rules.model import KINDS, Rule
from .compiler import Compiler, Shape
from .language import (
    And,
    ConditionError,
    Constant,
    FactSchema,
    Literal,
    Node,
    Scope,
    normal,
    parse,
    resolve,
    words,
)
from .language import FieldType
from .schema import KIND_TYPES, SchemaError, declared_schema, kind_schema

RULE_KEYS = {"id", "clause", "kinds", "for", "when", "severity", "message", "path", "consequences", "grade",
             "after", "document", "fact_consequences", "steps"}
STEP_KEYS = {"when", "consequences", "fields", "severity"}
PACK_ID = "{pack}"  # in a rule's id or after: the id of the pack loading the file
# What a grade branch adds to its facts for messages and for the decision's grade.
GRADE_FIELDS = ("grade", "grade_zh", "grade_en")


@dataclass(frozen=True)
class Branch:
    """One engine condition of a data rule, and what its matches add to the fact."""

    condition: Node  # normal form, resolved
    engine: Any  # the durable_rules condition
    grade: str = ""  # a constant grade code
    grade_from: str = ""  # or the fact field holding it
    label: str = ""  # for explanations: "grade excellent", "after grade incompetent"
    own: Node | None = None  # a grade branch's `when` as written, resolved
    # A grade rule's branches and its `after` rules' branches: `group` names the grade rule and
    # `order` the branch; of the branches that hold for one fact, the first decides (evaluator.first_branches).
    group: str = ""
    order: int = 0
    source: str = ""  # what decided (a branch's `source:`), for `after` rules to read
    fact_type: str = ""
    none: bool = False  # a branch that decides no grade (`none: true`)
    # A step (`steps:`): the consequences it yields (codes or {code, params}) and the text fields it
    # adds to the fact for the message ((name, template) pairs, formatted with the fact).
    step: bool = False
    consequences: tuple = field(default=(), compare=False)
    adds: tuple = field(default=(), compare=False)
    severity: str | None = None  # a step's matches' severity ("": no note); None: the rule's

    @property
    def always(self) -> bool:
        """Holds for every fact of its type: a grade rule's last `none` branch (within a group only:
        the first branch that holds decides, so it counts when no other does)."""
        return bool(self.group) and isinstance(self.condition, Constant) and self.condition.value


@dataclass(frozen=True)
class RuleSpec:
    """What a data rule is besides its `Rule`: its fact type, condition and branches."""

    source: str  # the file it came from
    fact_type: str
    when: str  # as written
    condition: Node | None  # the `when` resolved (not yet in normal form); None for a grade rule
    branches: tuple[Branch, ...]
    words: str  # the condition in words
    reads: tuple[str, ...]  # threshold keys
    item_labels: dict = field(default_factory=dict)  # list field -> the item field naming an item
    lazy: bool = False  # its message reads a message field (made when the message is written)


@dataclass
class RuleData:
    rules: list[Rule]
    shapes: dict[str, Shape]  # fact type -> what the engine needs added
    submission_kinds: set  # the kinds whose submission is itself a fact some rule reads
    message_fields: set = field(default_factory=set)  # (fact type, field) declared `message`
    schemas: dict = field(default_factory=dict)  # fact type -> FactSchema (declared ones and the kinds)


def _keys(findings: list[str], where: str, data: dict, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            findings.append(f"{where}: unknown key {key!r}")


def load_rule_files(findings: list[str], files: list[tuple[str, dict]], thresholds: dict, sources: dict,
                    placeholders_extra: dict | None = None, pack_id: str = "") -> RuleData:
    """Every rule of the files [(file name, parsed YAML)], compiled against the flattened thresholds;
    `{pack}` in a rule's id or after is `pack_id`."""
    schemas: dict[str, FactSchema] = {k: kind_schema(k) for k in KIND_TYPES}
    named: dict[str, Node] = {}
    message_fields: set[tuple[str, str]] = set()
    raw_rules: list[tuple[str, dict]] = []
    for name, data in files:
        if not isinstance(data, dict):
            findings.append(f"{name}: must be a mapping with rules:")
            continue
        _keys(findings, name, data, {"facts", "conditions", "rules"})
        for fact_type, raw in (data.get("facts") or {}).items():
            if fact_type in schemas:
                findings.append(f"{name}: facts.{fact_type}: declared twice (or a submission kind)")
                continue
            try:
                schemas[str(fact_type)] = declared_schema(str(fact_type), raw, f"{name}: facts.{fact_type}")
                message_fields.update((str(fact_type), k) for k, v in schemas[str(fact_type)].fields.items()
                                      if v.type == "message")
            except SchemaError as exc:
                findings.append(str(exc))
        for cname, text in (data.get("conditions") or {}).items():
            try:
                named[str(cname)] = parse(text)
            except ConditionError as exc:
                findings.append(f"{name}: conditions.{cname}: {exc}")
        rules = data.get("rules") or []
        if not isinstance(rules, list):
            findings.append(f"{name}: rules must be a list")
            continue
        raw_rules.extend((name, _own_ids(r, pack_id)) for r in rules)

    built = RuleData([], {}, set(), message_fields, schemas)
    grade_specs: dict[str, tuple[RuleSpec, dict]] = {}
    pending_after = []
    for name, raw in raw_rules:
        if not isinstance(raw, dict):
            findings.append(f"{name}: each rule is a mapping")
            continue
        rule_id = str(raw.get("id", "?"))
        where = f"{name}: rule {rule_id}"
        _keys(findings, where, raw, RULE_KEYS)
        if "after" in raw:
            pending_after.append((name, raw))
            continue
        made = _rule(findings, where, name, raw, schemas, named, thresholds, sources, built)
        if made is not None and "grade" in raw:
            grade_specs[rule_id] = (made.spec, raw)
    for name, raw in pending_after:
        where = f"{name}: rule {raw.get('id', '?')}"
        target = grade_specs.get(str(raw["after"]))
        if target is None:
            findings.append(f"{where}: after: {raw['after']!r} is not a grade rule of this pack")
            continue
        _rule(findings, where, name, raw, schemas, named, thresholds, sources, built, after=target[0])
    return built


def _own_ids(raw: Any, pack_id: str) -> Any:
    """The rule with `{pack}` in its id and after replaced by the pack's id (when there is one)."""
    if not pack_id or not isinstance(raw, dict):
        return raw
    return {key: value.replace(PACK_ID, pack_id) if key in ("id", "after") and isinstance(value, str) else value
            for key, value in raw.items()}


def _rule(findings, where, name, raw, schemas, named, thresholds, sources, built: RuleData,
          after: RuleSpec | None = None) -> Rule | None:
    before = len(findings)
    rule_id = str(raw.get("id", ""))
    fact_type = str(raw.get("for", "")) if "for" in raw else (after.fact_type if after else "")
    schema = schemas.get(fact_type)
    if schema is None:
        findings.append(f"{where}: for: {fact_type!r} is not a declared fact type (facts:) nor a submission kind")
        return None
    kinds = raw.get("kinds")
    if not isinstance(kinds, list) or not kinds or set(kinds) - set(KINDS):
        findings.append(f"{where}: kinds: a list from {KINDS}")
        kinds = []
    if fact_type in KIND_TYPES and kinds != [fact_type]:
        findings.append(f"{where}: kinds: a rule for the {fact_type} itself runs for {fact_type} only")
    scope = Scope(schema, thresholds, named)
    compiler = Compiler()
    branches: list[Branch] = []
    condition: Node | None = None
    grade_fields: set[str] = set()
    when_text = str(raw.get("when", "")) if "when" in raw else ""
    try:
        if "steps" in raw and ("grade" in raw or after is not None):
            raise ConditionError("steps: not in a grade rule nor an after rule")
        if "grade" in raw:
            branches = _grade_branches(raw["grade"], fact_type, scope, compiler, schema, rule_id)
            grade_fields = set(GRADE_FIELDS)
            for required in ("scheme", "subject_id"):
                if schema.lookup(required) is None:
                    raise ConditionError(f"grade: the fact type {fact_type} needs a `{required}` field")
            text = "the first that holds: " + "; otherwise ".join(
                # a grade branch's own `when` is always set (_grade_branches)
                b.label if isinstance(b.own, Constant) and b.own.value else f"{b.label} if {words(cast(Node, b.own), sources)}"
                for b in branches)
        else:
            if not when_text and after is None:
                raise ConditionError("when: missing")
            # An after rule without `when` fires with every grade given (not with a `none` branch).
            condition = _resolve(parse(when_text or "grade != ''"), scope, after)
            if after is not None:
                grade_fields = set(GRADE_FIELDS)
                branches = _after_branches(condition, after, fact_type, scope, compiler)
            elif "steps" in raw:
                branches = _step_branches(raw["steps"], condition, fact_type, scope, compiler, rule_id,
                                          raw.get("severity"))
                # what every step adds, the message may show
                grade_fields = set.intersection(*({name for name, _ in b.adds} for b in branches))
            else:
                nf = normal(condition)
                branches = [Branch(nf, compiler.condition(fact_type, nf), fact_type=fact_type)]
            if branches and branches[0].step:
                text = f"{words(condition, sources)}; then the first step that holds: " + "; otherwise ".join(
                    # a step's own `when` is always set (_step_branches)
                    b.label if isinstance(b.own, Constant) else f"{b.label} if {words(cast(Node, b.own), sources)}"
                    for b in branches)
            elif after is None:
                text = words(condition, sources)
            elif when_text:
                text = f"with the grade {raw['after']} gives: {words(condition, sources)}"
            else:
                text = f"with every grade {raw['after']} gives"
    except ConditionError as exc:
        field = "grade" if "grade" in raw else "steps" if "steps" in raw and str(exc).startswith("step") else "when"
        findings.append(f"{where}: {field}: {exc}")
        return None
    except ValueError as exc:  # a threshold that is not a share, and the like
        findings.append(f"{where}: {exc}")
        return None
    message = raw.get("message")
    if message is not None:
        if not isinstance(message, dict) or set(message) != {"zh", "en"}:
            findings.append(f"{where}: message: needs zh and en text (and nothing else)")
        else:
            quoted = {}
            for lang in ("zh", "en"):
                for placeholder in _placeholders(findings, f"{where}: message.{lang}", str(message[lang])):
                    if placeholder in grade_fields or schema.lookup(placeholder) is not None:
                        continue
                    if placeholder in scope.thresholds:  # a threshold's value, written in when the pack loads
                        quoted[placeholder] = _message_value(scope, placeholder)
                        continue
                    findings.append(f"{where}: message.{lang}: {{{placeholder}}} is not a field of {fact_type}")
            if quoted:
                try:
                    message = {lang: _quote_thresholds(str(message[lang]), quoted) for lang in ("zh", "en")}
                except ValueError as exc:
                    findings.append(f"{where}: message: {exc}")
    for branch in branches:
        for name, template in branch.adds:
            for placeholder in _placeholders(findings, f"{where}: steps: fields.{name}", template):
                if schema.lookup(placeholder) is None:
                    findings.append(f"{where}: steps: fields.{name}: {{{placeholder}}} is not a field of {fact_type}")
    consequences = raw.get("consequences") or []
    if not isinstance(consequences, list):
        findings.append(f"{where}: consequences: a list")
        consequences = []
    fact_consequences = raw.get("fact_consequences") or []
    if "fact_consequences" in raw:
        brought = schema.lookup("consequences")
        if not isinstance(fact_consequences, list) or not fact_consequences \
                or not all(isinstance(c, str) for c in fact_consequences):
            findings.append(f"{where}: fact_consequences: a list of consequence codes")
            fact_consequences = []
        elif brought is None or brought.type != "list" or brought.item is not None:
            findings.append(f"{where}: fact_consequences: the fact type {fact_type} needs a "
                            "`consequences: {list: text}` field to bring them")
    elif fact_type not in KIND_TYPES and schema.lookup("consequences") is not None:
        # its facts' own consequences reach every rule they match: each rule says which it yields
        findings.append(f"{where}: fact_consequences: the facts of {fact_type} bring consequences; "
                        "declare the codes they may bring")
    if len(findings) > before:
        return None
    for key in ("clause", "severity", "path", "document"):
        if key in raw and not isinstance(raw[key], str):
            findings.append(f"{where}: {key}: text")
            return None
    if schema.name in KIND_TYPES:
        built.submission_kinds.add(fact_type)
    shape = built.shapes.setdefault(fact_type, Shape())
    shape.merge(compiler.shape)
    spec = RuleSpec(
        source=name,
        fact_type=fact_type,
        when=when_text,
        condition=condition,
        branches=tuple(branches),
        words=text,
        reads=tuple(sorted(scope.reads)),
        item_labels={k: v.value_type for k, v in schema.fields.items() if v.type == "list" and v.value_type},
        lazy=isinstance(message, dict) and any(
            (schema.lookup(p) or FieldType("")).type == "message"
            for lang in ("zh", "en") for p in _placeholders([], "", str(message.get(lang, "")))),
    )
    first = branches[0].engine if branches else None

    def when(thresholds: Any) -> Any:  # the first branch's condition, whatever the thresholds
        return first

    severity = raw.get("severity")
    if severity is None and any(b.severity for b in branches):  # only steps speak: the rule says the gravest
        severity = next(s for s in ("error", "warning", "info") if any(b.severity == s for b in branches))
    rule = Rule(
        id=rule_id,
        clause=str(raw.get("clause", "")),
        kinds=tuple(kinds),
        when=when,
        severity=severity,
        message=dict(message) if isinstance(message, dict) else None,
        path=str(raw.get("path", "")),
        consequences=tuple(consequences),
        # declared by the rule, or brought by its steps
        fact_consequences=tuple(dict.fromkeys([*fact_consequences,
                                               *sorted({_code(c) for b in branches for c in b.consequences})])),
        grade="grade" in raw,
        thresholds=spec.reads,
        document=raw.get("document"),
        spec=spec,
    )
    built.rules.append(rule)
    return rule


def _resolve(node: Node, scope: Scope, after: RuleSpec | None) -> Node:
    if after is None:
        return resolve(node, scope)
    # `grade` names the grade the rule fired with: a text field of the fact, for resolving only
    from .language import FactSchema as _Schema, FieldType

    fields = dict(scope.schema.fields)
    fields.setdefault("grade", FieldType("text"))  # the grade the branch gives ('' for none)
    fields.setdefault("source", FieldType("text"))  # the branch's source
    inner = Scope(_Schema(scope.schema.name, fields), scope.thresholds, scope.named, scope.reads)
    return resolve(node, inner)


def _grade_branches(raw: Any, fact_type: str, scope: Scope, compiler: Compiler, schema: FactSchema,
                    rule_id: str) -> list[Branch]:
    if not isinstance(raw, list) or not raw:
        raise ConditionError("a list of branches {code: …, when: …}, the first that holds deciding")
    from ..domain import vocabulary

    branches: list[Branch] = []
    for i, item in enumerate(raw):
        kinds = set(item) & {"code", "code_from", "none"} if isinstance(item, dict) else set()
        if not isinstance(item, dict) or len(kinds) != 1 or set(item) - {"code", "code_from", "none", "when", "source"} \
                or ("when" not in item and "none" not in item):
            raise ConditionError(f"branch {i + 1}: {{code: <grade>, when: …}}, {{code_from: <field>, when: …}} "
                                 "or {none: true} (no grade), each with an optional source: <word>")
        condition = resolve(parse(str(item["when"])), scope) if "when" in item else Constant(True)
        source = str(item.get("source", ""))
        if "code" in item:
            if item["code"] not in vocabulary.BALLOT_OPTIONS:
                raise ConditionError(f"branch {i + 1}: unknown grade code {item['code']!r}")
            label = f"grade {item['code']}"
        elif "code_from" in item:
            found = schema.lookup(str(item["code_from"]))
            if found is None or found.type != "text":
                raise ConditionError(f"branch {i + 1}: code_from: {item['code_from']!r} is not a text field of {fact_type}")
            label = f"grade from {item['code_from']}"
        else:
            if item["none"] is not True:
                raise ConditionError(f"branch {i + 1}: none: true")
            label = "no grade"
        # Each branch is compiled on its own: the engine tells which hold, the first of those decides
        # (compiling "and none before" would make the engine expand every negated all() into an or).
        nf = normal(condition)
        branches.append(Branch(nf, compiler.condition(fact_type, nf), grade=str(item.get("code", "")),
                               grade_from=str(item.get("code_from", "")), label=label, own=condition,
                               group=rule_id, order=i, source=source, none="none" in item, fact_type=fact_type))
    return branches


def _step_branches(raw: Any, condition: Node, fact_type: str, scope: Scope, compiler: Compiler,
                   rule_id: str, rule_severity: Any = None) -> list[Branch]:
    """A rule's `steps:`: when its `when` holds, the first step whose own `when` holds gives the
    consequences (a rung of a ladder: a warning, then an admonition, then dismissal). Like a grade
    rule's branches, each step is compiled on its own and the first that holds decides. A
    consequence's code or param written as a threshold key is that threshold's value. A step's
    `severity` is its matches' (a step may give a note and no consequence); without one, the
    rule's, and when only steps name one, a step without it gives no note."""
    from ..domain import vocabulary

    if not isinstance(raw, list) or not raw:
        raise ConditionError("steps: a list of {when: …, consequences: […], fields: {name: text}, severity: …}, "
                             "the first that holds deciding")
    speak = rule_severity is None and any(isinstance(item, dict) and "severity" in item for item in raw)
    branches = []
    for i, item in enumerate(raw):
        where = f"step {i + 1}"
        if not isinstance(item, dict) or set(item) - STEP_KEYS \
                or not (item.get("consequences") or "severity" in item):
            raise ConditionError(f"{where}: {{when: …, consequences: […], fields: {{name: text}}, severity: …}} "
                                 "(consequences or a severity required; without `when` the step always holds)")
        try:
            own = resolve(parse(str(item["when"])), scope) if "when" in item else Constant(True)
        except ConditionError as exc:
            raise ConditionError(f"{where}: when: {exc}") from None
        severity = item.get("severity", "" if speak else None)
        if "severity" in item and severity not in vocabulary.SEVERITIES:
            raise ConditionError(f"{where}: severity: one of {', '.join(vocabulary.SEVERITIES)}")
        consequences = item.get("consequences") or []
        if not isinstance(consequences, list):
            raise ConditionError(f"{where}: consequences: a list")
        made = []
        for c in consequences:
            if isinstance(c, dict):
                if set(c) - {"code", "params"} or not isinstance(c.get("params", {}), dict):
                    raise ConditionError(f"{where}: a consequence is a code or {{code, params: {{…}}}}")
                params = {}
                for name, value in (c.get("params") or {}).items():
                    if isinstance(value, str) and value in scope.thresholds:
                        scope.reads.add(value)
                        value = scope.thresholds[value]
                    params[str(name)] = value
                made.append({"code": _step_code(c.get("code"), scope, where), "params": params})
            else:
                made.append(_step_code(c, scope, where))
        fields = item.get("fields") or {}
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            raise ConditionError(f"{where}: fields: a mapping of names to text")
        nf = normal(And((condition, own)))
        if isinstance(nf, Constant) and not nf.value:
            raise ConditionError(f"{where}: never holds with the rule's `when`")
        yields = [*map(_code, made), *([f"severity {severity}"] if severity else [])]
        branches.append(Branch(nf, compiler.condition(fact_type, nf), label=f"step {i + 1} ({', '.join(yields)})",
                               own=own, group=rule_id, order=i, fact_type=fact_type, step=True,
                               consequences=tuple(made), adds=tuple((str(k), v) for k, v in fields.items()),
                               severity=severity))
    return branches


def _step_code(code: Any, scope: Scope, where: str) -> Any:
    """A step's consequence code: a code, or a threshold key whose value is one (read by the rule)."""
    from ..domain import vocabulary

    if isinstance(code, str) and code in scope.thresholds:
        scope.reads.add(code)
        value = scope.thresholds[code]
        if not isinstance(value, str) or value not in vocabulary.CONSEQUENCES:
            raise ConditionError(f"{where}: consequences: {code} is {value!r}, not a consequence code")
        return value
    if not isinstance(code, str) or code not in vocabulary.CONSEQUENCES:
        raise ConditionError(f"{where}: consequences: {code!r} is neither a consequence code nor a threshold key")
    return code


def _code(consequence: Any) -> str:
    return str(consequence.get("code") if isinstance(consequence, dict) else consequence)


def _after_branches(condition: Node, after: RuleSpec, fact_type: str, scope: Scope, compiler: Compiler) -> list[Branch]:
    if fact_type != after.fact_type:
        raise ConditionError(f"an after rule reads the fact type of its grade rule ({after.fact_type})")
    branches = []
    for branch in after.branches:
        grade: Node = Literal(branch.grade, "text", repr(branch.grade))
        if branch.grade_from:
            from .language import Field

            grade = Field(branch.grade_from, "text")
        source = Literal(branch.source, "text", repr(branch.source))
        bound = _bind_grade(condition, grade, source)
        nf = normal(And((branch.condition, bound)))
        if isinstance(nf, Constant) and not nf.value:
            continue
        branches.append(Branch(nf, compiler.condition(fact_type, nf), grade=branch.grade,
                               grade_from=branch.grade_from, label=f"after {branch.label}", own=bound,
                               group=branch.group, order=branch.order, source=branch.source, none=branch.none,
                               fact_type=fact_type))
    if not branches:
        raise ConditionError("no branch of the grade rule admits this condition: the rule never fires")
    return branches


def _bind_grade(node: Node, grade: Node, source: Node) -> Node:
    """The condition with `grade` replaced by the branch's grade (a code, or its field) and `source` by its source."""
    from dataclasses import replace

    from .language import And as And_, Compare, CountOf, Field, In, Not as Not_, Or, Presence, Quantified, ShareOf

    if isinstance(node, Field):
        if not node.item and node.path in ("grade", "source"):
            return grade if node.path == "grade" else source
        return node
    if isinstance(node, (And_, Or)):
        return replace(node, parts=tuple(_bind_grade(p, grade, source) for p in node.parts))
    if isinstance(node, Not_):
        return Not_(_bind_grade(node.part, grade, source))
    if isinstance(node, Compare):
        return Compare(_bind_grade(node.left, grade, source), node.op, _bind_grade(node.right, grade, source))
    if isinstance(node, In):
        return In(_bind_grade(node.item, grade, source), _bind_grade(node.collection, grade, source), node.negated)
    if isinstance(node, Quantified):
        return Quantified(node.every, node.list, _bind_grade(node.body, grade, source))
    if isinstance(node, (Presence, ShareOf, CountOf)):
        return node
    return node


def _message_value(scope: Scope, key: str) -> str:
    """A threshold as a message shows it: as written in thresholds.yaml (a list's words joined)."""
    try:
        return scope.threshold(key).text
    except ConditionError:  # a list of other things than words, or a group: shown as YAML has it
        return str(scope.thresholds[key])


def _quote_thresholds(template: str, values: dict[str, str]) -> str:
    """The template with each `{threshold.key}` replaced by its value (braces in it escaped); the fact's
    placeholders are kept for str.format_map."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if name in values:
            value = {"r": repr, "a": ascii}.get(conversion or "", str)(values[name])
            out.append(format(value, spec or "").replace("{", "{{").replace("}", "}}"))  # ValueError: a bad spec
        else:
            out.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(out)


def _placeholders(findings: list[str], where: str, template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError as exc:
        findings.append(f"{where}: {exc}")
        return []
