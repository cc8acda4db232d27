"""The rectification ledger (问题整改台帐) of 霍尔奇社区's plan, 二(三)7 and 三、3."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.pledges import present


@derive("log")
def ledger_entries(log: dict, ctx: Context):
    # 三、3: every issue is entered with who answers for it (明确责任) and by when (限定解决时限).
    for i, entry in enumerate(log.get("rectification_ledger", [])):
        for field in ("owner", "deadline"):
            if not present(entry.get(field)):
                yield fact(
                    "ledger_gap",
                    path=f"log.rectification_ledger[{i}].{field}",
                    item_id=i + 1,
                    issue=entry.get("issue") or "未写明/none",
                    field=field,
                )


RECTIFICATION_LEDGER = Rule(
    id="huoerqi_2010.log.rectification-ledger",
    clause="二(三)7, 三、3",
    kinds=("log",),
    severity="warning",
    when=lambda t: m.type == "ledger_gap",
    message={
        "zh": "问题整改台帐第{item_id}条（{issue}）须明确责任人和解决时限；缺少：{field}",
        "en": "Rectification ledger entry {item_id} ({issue}) needs an owner and a deadline; missing: {field}",
    },
)
