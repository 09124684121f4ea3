"""Static analysis: text -> tree -> IR -> rules/advisor -> findings (plain objects, no LSP types)."""
