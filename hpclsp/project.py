"""The analysis as a project sees it: build configuration before the engine, suppressions after.

``hpclsp check`` and the server both call ``analyze``, so a suppression comment or a
``compile_commands.json`` changes what the linter says and what the editor shows in the same way.
"""

from __future__ import annotations

import dataclasses
import logging

from hpclsp import compile_db, preprocessor, suppressions
from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.source import SourceFile

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Analysis:
    """The engine's result after suppressions, with what they silenced."""

    result: engine.Result
    filtered: suppressions.Filtered
    source: SourceFile  # what the engine saw (inactive branches blanked)


def configured_source(
    source: SourceFile, database: str | None = None, use_database: bool = True
) -> SourceFile:
    """The source with the branches its compile command does not compile blanked (itself when none)."""
    if not use_database or "#" not in source.text:
        return source
    try:
        entry = compile_db.entry_for(source.path, database)
    except OSError:
        return source
    if entry is None:
        return source
    text = preprocessor.blank_inactive(source.text, entry.macros(source.language))
    if text == source.text:
        return source
    return SourceFile(source.path, source.language, text, fixed_form=source.fixed_form)


def analyze(
    source: SourceFile,
    options: Options,
    database: str | None = None,
    use_database: bool = True,
) -> Analysis:
    """Configure the source, run the engine, apply the suppression comments of the compiled lines."""
    seen = configured_source(source, database, use_database)
    result = engine.analyze(seen, options)
    # Comments in branches the build does not compile are blanked with them: they neither silence
    # anything nor count as unused in this configuration.
    filtered = suppressions.apply(seen.text, source.language, result.findings, bool(source.fixed_form))
    result.findings = filtered.kept
    return Analysis(result, filtered, seen)


def analyze_for_editor(source: SourceFile, options: Options) -> engine.Result:
    """What the server publishes for a document: ``analyze`` without the bookkeeping."""
    return analyze(source, options).result
