"""The explorer's pages: packs, a pack's regulation clause by clause, and the case workbench.

Server-rendered (Jinja2) with htmx for the workbench's partial updates; read-only: nothing here
writes a pack ("Save as fixture" hands the YAML to the browser).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
import yaml
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..domain.caseio import load_yaml
from ..domain.errors import InvalidArgument, PolicyError
from ..evaluation.evaluator import Evaluator
from ..packs.pack import Pack
from . import i18n, protoform, workbench
from .api import Api
from .catalog import Catalog, PackView
from .packwatch import PackWatcher

TEMPLATES = Path(__file__).parent / "templates"
KNOWN_RULE_FIELDS = {"id", "kinds", "severity", "citation", "message", "thresholds", "consequences", "grades"}
KNOWN_TRACE_FIELDS = {"rule_id", "applicable", "fired", "condition", "matched"}


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=None if not isinstance(value, (dict, list)) or len(str(value)) < 80 else 2)


def _yaml_value(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000).strip().removesuffix("...").strip()


class Explorer:
    def __init__(self, evaluator: Evaluator, api: Api, watcher: PackWatcher | None = None) -> None:
        self.evaluator = evaluator
        self.api = api
        self.watcher = watcher
        self.catalog = Catalog()
        self.variants = workbench.Variants()
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        env = self.templates.env
        env.globals.update(pretty=_pretty, yaml_value=_yaml_value, urlencode=urlencode,
                           KNOWN_RULE_FIELDS=KNOWN_RULE_FIELDS, KNOWN_TRACE_FIELDS=KNOWN_TRACE_FIELDS)

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def lang(request: Request) -> str:
        chosen = request.query_params.get("lang") or request.cookies.get("lang")
        if chosen in i18n.LANGS:
            return chosen
        accept = request.headers.get("accept-language", "")
        return "zh" if accept.lower().startswith("zh") else "en"

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = self.lang(request)
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        here = request.url.path + ("?" + urlencode(rest) if rest else "")
        context.update(
            request=request, lang=lang, here=here,
            t=lambda key: i18n.word(key, lang),
            tx=lambda value: i18n.text(value, lang),
            reload_findings=self.watcher.findings if self.watcher else [],
        )
        response = self.templates.TemplateResponse(request, template, context, status_code=status)
        if request.query_params.get("lang") in i18n.LANGS:
            response.set_cookie("lang", request.query_params["lang"], max_age=365 * 86400, samesite="lax")
        return response

    def view(self, pack: Pack) -> PackView:
        return self.catalog.view(pack, self.evaluator.registry)

    def pack_or_none(self, ref: str | None) -> Pack | None:
        if not ref:
            return None
        try:
            return self.evaluator.registry.get(ref)
        except PolicyError:
            return None

    @staticmethod
    def examples(pack: Pack) -> dict[str, str]:
        """Sample submissions of a pack kept beside the bundled packs (examples/<pack id>/), if any."""
        folder = pack.directory.parent.parent / "examples" / pack.id
        if not folder.is_dir():
            return {}
        return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}

    # -- pages ------------------------------------------------------------------------------

    async def index(self, request: Request) -> HTMLResponse:
        packs = self.evaluator.registry.packs()
        by_id: dict[str, list[Pack]] = {}
        for pack in packs:
            by_id.setdefault(pack.id, []).append(pack)
        digests = {p.ref: self.catalog.digest(p) for p in packs}
        return self.render(request, "packs.html", packs=packs, by_id=by_id, digests=digests)

    async def pack_page(self, request: Request) -> HTMLResponse:
        try:
            pack = self.evaluator.registry.get(request.path_params["ref"])
        except PolicyError as exc:
            return self.render(request, "error.html", status=404, message=exc.message)
        view = await anyio.to_thread.run_sync(self.view, pack)  # the first look runs the pack's fixtures
        versions = [p for p in self.evaluator.registry.packs() if p.id == pack.id]
        return self.render(request, "pack.html", pack=pack, view=view, versions=versions)

    def _start_text(self, request: Request, pack: Pack | None) -> tuple[str, str]:
        """The case the workbench opens with, and where it came from."""
        params = request.query_params
        if params.get("case"):
            try:
                return workbench.decode_permalink(params["case"]), "permalink"
            except InvalidArgument as exc:
                return "", exc.violations[0][1]
        if params.get("fixture") and pack is not None:
            file, _, index = params["fixture"].rpartition(":")
            cases = self.view(pack).fixtures.get(file, [])
            if index.isdigit() and int(index) < len(cases):
                case = cases[int(index)]
                return workbench.dump_case(case["request"]), f"{pack.id} fixtures/{file}: {case['name']}"
        if params.get("example") and pack is not None:
            found = self.examples(pack).get(params["example"])
            if found is not None:
                return found, f"examples/{pack.id}/{params['example']}"
        if pack is not None:
            first = next(iter(self.examples(pack).items()), None)
            if first:
                return first[1], f"examples/{pack.id}/{first[0]}"
        return "", ""

    async def workbench_page(self, request: Request) -> HTMLResponse:
        return await anyio.to_thread.run_sync(self._workbench_page, request)

    def _workbench_page(self, request: Request) -> HTMLResponse:
        params = request.query_params
        packs = self.evaluator.registry.packs()
        pack = self.pack_or_none(params.get("pack")) or self.pack_or_none(params.get("on")) or (
            self.pack_or_none("yuyao_2011") or (packs[0] if packs else None))
        text, origin = self._start_text(request, pack)
        view = self.view(pack) if pack else None
        form = {
            "case": text,
            "on": params.get("on", "") if self.pack_or_none(params.get("on")) else "",
            "compare": params.get("compare", "none"),
            "other": params.get("other", ""),
            "interpretation": params.get("interpretation", ""),
            "value": params.get("value", ""),
            "name": params.get("name", ""),
            "pack": pack.ref if pack else "",  # whose examples, fixtures and interpretations are offered
        }
        result = None
        if params.get("case") and text:  # a permalink opens evaluated
            result = self._run(form)
        return self.render(request, "workbench.html", packs=packs, pack=pack, view=view, origin=origin,
                           form=form, examples=self.examples(pack) if pack else {}, result=result,
                           flips=self.flips(pack, view) if pack and view else {})

    @staticmethod
    def flips(pack: Pack, view: PackView) -> dict[str, str]:
        """Per interpretation, the value proposed when it is flipped: another allowed value, the
        other boolean, or the default where the pack departs from it (the author may edit it)."""
        proposed = {}
        for item in pack.interpretations:
            current = pack.thresholds.get(item.setting)
            allowed = [v for v in view.interpretation_values.get(item.id, []) if v != current]
            if allowed:
                value = allowed[0]
            elif isinstance(current, bool):
                value = not current
            else:
                value = item.default if item.default != current else current
            proposed[item.id] = _yaml_value(value)
        return proposed

    def _run(self, form: dict[str, str]) -> dict[str, Any]:
        """Evaluate the form's case (and its comparison): everything the result partial shows."""
        result: dict[str, Any] = {"form": form}
        try:
            data = workbench.read_case(form["case"])
        except InvalidArgument as exc:
            result["outcome"] = {"error": "INVALID_ARGUMENT", "message": exc.message,
                                 "field_violations": [{"field": f, "description": d} for f, d in exc.violations]}
            return result
        outcome = workbench.evaluate(self.evaluator, data, form.get("on") or None)
        result["outcome"] = outcome
        deciding = None
        if "decision" in outcome:
            ref = outcome["decision"]["pack"]
            deciding = self.pack_or_none(f"{ref['id']}@{ref['version']}")
            result["view"] = self.view(deciding) if deciding else None
        compare = form.get("compare")
        if compare == "version" and form.get("other"):
            other = self.pack_or_none(form["other"])
            if other is not None:
                result["right_label"] = other.ref
                result["right"] = workbench.evaluate(self.evaluator, data, other.ref)
        elif compare == "interpretation" and deciding is not None and form.get("interpretation"):
            item = next((i for i in deciding.interpretations if i.id == form["interpretation"]), None)
            if item is not None:
                try:
                    value = load_yaml(form.get("value", ""))
                except yaml.YAMLError as exc:
                    result["right"] = {"error": "INVALID_ARGUMENT", "message": f"value: {exc}", "field_violations": []}
                else:
                    result["right_label"] = f"{deciding.ref}, {item.setting} = {_yaml_value(value)}"
                    result["right"] = workbench.run_with_setting(self.variants, deciding, item.setting, value, data)
        if "right" in result:
            result["diff"] = workbench.diff(outcome, result["right"])
            if "decision" in result["right"]:
                ref = result["right"]["decision"]["pack"]
                other_pack = self.pack_or_none(f"{ref['id']}@{ref['version']}")
                result["right_view"] = self.view(other_pack) if other_pack else None
        name = form.get("name") or "a case saved from the explorer"
        result["fixture_yaml"] = workbench.fixture_yaml(name, data, outcome)
        query = {k: v for k, v in form.items() if v and k != "case" and not (k == "compare" and v == "none")}
        query["case"] = workbench.encode_permalink(form["case"])
        result["permalink"] = "/workbench?" + urlencode(query)
        return result

    @staticmethod
    async def _form(request: Request) -> dict[str, str]:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > workbench.MAX_CASE_CHARS * 4:
            raise InvalidArgument([("case", "too large")])
        raw = await request.form(max_fields=20, max_part_size=workbench.MAX_CASE_CHARS * 4)
        keys = ("case", "pack", "on", "compare", "other", "interpretation", "value", "name")
        return {k: str(raw.get(k, "") or "") for k in keys}

    async def workbench_evaluate(self, request: Request) -> Response:
        try:
            form = await self._form(request)
        except InvalidArgument as exc:
            return HTMLResponse(exc.message, status_code=413)
        result = await self.api.run(self._run, form)
        response = self.render(request, "_result.html", result=result)
        response.headers["HX-Push-Url"] = result.get("permalink", "/workbench")
        return response

    async def workbench_fixture(self, request: Request) -> Response:
        try:
            form = await self._form(request)
        except InvalidArgument as exc:
            return HTMLResponse(exc.message, status_code=413)
        result = await self.api.run(self._run, form)
        return Response(result.get("fixture_yaml", ""), media_type="application/yaml; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="case.yaml"'})

    async def form_from_case(self, request: Request) -> Response:
        """The form made from the descriptors, filled with the case in the text box."""
        try:
            form = await self._form(request)
            data = workbench.read_case(form["case"])
        except InvalidArgument as exc:
            return self.render(request, "_form.html", error=exc.message, nodes=[], kind="", oob=False)
        kind, nodes = protoform.form_nodes(data)
        return self.render(request, "_form.html", nodes=nodes, kind=kind, oob=False)

    async def form_apply(self, request: Request) -> Response:
        """The form's fields as the case's text (and the form again when an item was added or removed)."""
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > workbench.MAX_CASE_CHARS * 4:
            return HTMLResponse("too large", status_code=413)
        raw = await request.form(max_fields=5000, max_part_size=workbench.MAX_CASE_CHARS)
        fields = [(k, str(v)) for k, v in raw.multi_items() if isinstance(v, str)]
        add, remove = str(raw.get("add", "") or ""), str(raw.get("remove", "") or "")
        data = protoform.request_from_form(fields, str(raw.get("kind", "") or ""), add, remove)
        text = workbench.dump_case(data)
        kind, nodes = protoform.form_nodes(data)
        return self.render(request, "_case_text.html", text=text, nodes=nodes, kind=kind,
                           oob=bool(add or remove))

    async def set_lang(self, request: Request) -> Response:
        lang = request.path_params["lang"]
        target = request.query_params.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        response = RedirectResponse(target, status_code=303)
        if lang in i18n.LANGS:
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
        return response

    def routes(self) -> list[Route]:
        return [
            Route("/", self.index, name="index"),
            Route("/packs/{ref}", self.pack_page, name="pack"),
            Route("/workbench", self.workbench_page, name="workbench"),
            Route("/workbench/evaluate", self.workbench_evaluate, methods=["POST"], name="workbench_evaluate"),
            Route("/workbench/fixture", self.workbench_fixture, methods=["POST"], name="workbench_fixture"),
            Route("/workbench/form", self.form_from_case, methods=["POST"], name="workbench_form"),
            Route("/workbench/form/apply", self.form_apply, methods=["POST"], name="workbench_form_apply"),
            Route("/lang/{lang}", self.set_lang, name="lang"),
        ]
