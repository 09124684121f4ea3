"""LSP feature modules; each defines ``register(ls)`` and is loaded by ``hpclsp.server``."""
