from policyhub.rules import Context, Rule, derive, fact, m


@derive("pledge")
def items(pledge: dict, ctx: Context):
    for i, item in enumerate(pledge.get("items", [])):
        text = item.get("text", "")
        if text.startswith("RAISE"):
            # Quotes the submission, as a careless script would: the caller may see it, the log must not.
            raise ValueError(f"cannot read pledge item {text!r}")
        yield fact("item", path=f"pledge.items[{i}].text", text=text)


@derive("pledge")
def copies(pledge: dict, ctx: Context):
    yield fact("copies", copies=pledge.get("copies", 0))


ECHO = Rule(
    id="faulty_2020.pledge.echo", clause="一", kinds=("pledge",), severity="info",
    when=lambda t: m.type == "item",
    # Submitted text is formatted into the message: it must come back verbatim, never be evaluated.
    message={"zh": "事项：{text}", "en": "item: {text}"},
)
UNLUCKY = Rule(
    id="faulty_2020.pledge.unlucky", clause="二", kinds=("pledge",), severity="error",
    when=lambda t: (m.type == "copies") & (m.copies == 13),
    # Names a field its fact lacks: this rule fails while its violation is written.
    message={"zh": "{no_such_field}", "en": "{no_such_field}"},
)
COPIES = Rule(
    id="faulty_2020.pledge.copies", clause="三", kinds=("pledge",), severity="error",
    when=lambda t: (m.type == "copies") & (m.copies < 2),
    message={"zh": "份数不足：{copies}", "en": "too few copies: {copies}"},
)
