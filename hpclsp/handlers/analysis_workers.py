"""Worker processes for cold analyses of big files, as ``diagnostics.workers`` says.

The processes are spawned in the background by the first analysis big enough to use them
(``hpclsp.analysis.pool``), so a session that never opens a big file never starts one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hpclsp.analysis import pool

if TYPE_CHECKING:
    from hpclsp.server import HpcLanguageServer


def register(ls: HpcLanguageServer) -> None:
    """Reconfigure the pool whenever the setting changes."""
    applied: list[int] = []

    def settings_changed(ls: HpcLanguageServer) -> None:
        want = ls.settings.diagnostics.workers
        if applied != [want]:
            applied[:] = [want]
            pool.configure(None if want < 0 else want)

    ls.on_settings_changed(settings_changed)
