"""The measurements of the rectification ledger (问题整改台帐, 二(三)7 and 三、3) its rule (rules.yaml) compares."""

from policyhub.rules import Context, derive
from policyhub.rules.pledges import present


@derive("log")
def ledger_fields(log: dict, ctx: Context):
    # 三、3: every issue is entered with who answers for it (明确责任) and by when (限定解决时限).
    for i, entry in enumerate(log.get("rectification_ledger", [])):
        for field in ("owner", "deadline"):
            yield {"type": "ledger_field", "path": f"log.rectification_ledger[{i}].{field}", "item_id": i + 1,
                   "issue": entry.get("issue") or "未写明/none", "field": field, "given": present(entry.get(field))}
