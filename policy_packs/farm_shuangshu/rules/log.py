"""Stage windows of the farm's 干部“双述双评”工作实施方案 三(一)(二)."""

from policyhub.rules.shuangshu import stage_window_rule, stage_windows  # noqa: F401

STAGE_WINDOWS = stage_window_rule("farm_shuangshu")
