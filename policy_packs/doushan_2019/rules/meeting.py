"""Review-meeting rules of 2019斗山村村干部“双述双评”实施方案 三(三).

The facts come from the shared village “双述双评” derive functions (policyhub.rules.shuangshu);
a meeting submission or a ledger's meetings are checked alike.
"""

from policyhub.rules import Rule, m
from policyhub.rules.shuangshu import review_attendance, review_procedure, review_window  # noqa: F401

ATTENDANCE = Rule(
    id="doushan_2019.meeting.attendance",
    clause="三(三)1",
    kinds=("meeting", "log"),
    severity="error",
    when=lambda t: m.type == "missing_attendance",
    message={
        "zh": "村民评议“双述”会须有{kind_zh}参加，记录中无{kind_zh}出席",
        "en": "The villagers' review meeting must be attended by {kind_en}; none are recorded",
    },
)

PROCEDURE = Rule(
    id="doushan_2019.meeting.procedure",
    clause="三(三)1",
    kinds=("meeting", "log"),
    severity="error",
    when=lambda t: m.type == "missing_segment",
    message={
        "zh": "“双述”会缺少“{segment_zh}”环节（述职述廉、质询、当场解答、无记名投票、当场计票并宣布结果）",
        "en": "The review meeting lacks the “{segment_en}” segment (reports, questions, answers, anonymous vote, "
        "count and announcement on the spot)",
    },
)

WINDOW = Rule(
    id="doushan_2019.meeting.window",
    clause="三(三)",
    kinds=("meeting", "log"),
    severity="error",
    when=lambda t: (m.type == "review_window") & (m.inside == False),  # noqa: E712
    message={
        "zh": "评议阶段为{window}，述评会于{date}召开，不在评议阶段内",
        "en": "The evaluation stage runs {window}; the review meeting held on {date} falls outside it",
    },
)
