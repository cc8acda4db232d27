"""Review-meeting rules of the farm's 干部“双述双评”工作实施方案 三(三).

The facts come from the shared village “双述双评” derive functions (policyhub.rules.shuangshu);
a meeting submission or a ledger's meetings are checked alike.
"""

from policyhub.rules.shuangshu import review_attendance, review_procedure, review_window  # noqa: F401
from policyhub.rules.shuangshu import review_meeting_rules

ATTENDANCE, PROCEDURE, WINDOW = review_meeting_rules("farm_shuangshu")
