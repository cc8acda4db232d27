"""durable_rules, held safely: compiled rulesets and the facts they are sent."""
