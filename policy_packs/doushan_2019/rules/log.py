"""Stage windows of 2019斗山村村干部“双述双评”实施方案 三(一)(二)."""

from policyhub.rules.shuangshu import stage_window_rule, stage_windows  # noqa: F401

STAGE_WINDOWS = stage_window_rule("doushan_2019")
