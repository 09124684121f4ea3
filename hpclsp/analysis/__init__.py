"""Static analysis: text -> tree -> CFG and values -> IR -> analyses -> findings (plain objects, no LSP types).

The packages, what each asks of the others and where a new rule goes: ``docs/ARCHITECTURE.md``.
"""
