"""Stage windows of 2019斗山村村干部“双述双评”实施方案 三(一)(二)."""

from policyhub.rules import Rule, m
from policyhub.rules.shuangshu import stage_windows  # noqa: F401

STAGE_WINDOWS = Rule(
    id="doushan_2019.log.stage-windows",
    clause="三(一)(二)",
    kinds=("log", "meeting"),
    severity="warning",
    when=lambda t: (m.type == "stage_window") & (m.inside == False),  # noqa: E712
    message={
        "zh": "{stage_zh}应在{window}进行，该记录日期为{date}",
        "en": "The {stage_en} runs {window}; this record is dated {date}",
    },
)
