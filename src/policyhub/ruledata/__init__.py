"""Rules as data: the condition language, its compilation into durable_rules, explanations.

    language.py   the conditions: parsed, resolved against a fact type and the thresholds, type-checked
    schema.py     fact types: the submission kinds' fields (from the proto) and declared measurements
    compiler.py   a condition as a durable_rules condition (the engine compares; shares exactly)
    explain.py    a condition evaluated in Python with its values: traces and threshold coverage
    loader.py     rules.yaml read, checked and compiled into the pack's rules
    libraries.py  shared rule libraries found through the `policyhub_rule_libraries` hook
    trace.py      a decision's trace: each rule's condition in words, with the values compared
"""
