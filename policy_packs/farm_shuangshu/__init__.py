"""The farm_shuangshu policy pack: tells policyhub where its files are."""

from pathlib import Path

from policyhub.rules import hookimpl


@hookimpl
def policyhub_pack_paths():
    return [Path(__file__).parent]
