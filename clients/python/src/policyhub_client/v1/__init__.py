"""Stubs generated from proto/ by scripts/gen_stubs.sh; never edit by hand."""
