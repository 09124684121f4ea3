"""Token-budgeted prompt building: prefix, suffix and retrieved snippets share the context window.

The raw segments are truncated (the prefix from its start, the suffix from its end, snippets
whole or by lines); the family's template is never cut. Counting uses the model's tokenizer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from hpclsp.llm.fim import Family, Snippet, comment_block

CountFn = Callable[[str], int]


@dataclasses.dataclass
class Prompt:
    """A rendered prompt and the segments that went into it."""

    text: str
    prefix: str
    suffix: str
    snippets: list[Snippet]
    tokens: int


def _keep_tail(text: str, budget: int, count: CountFn) -> str:
    """The longest run of whole trailing lines of text (plus the last partial line) within budget."""
    if budget <= 0:
        return ""
    if count(text) <= budget:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    used = 0
    for line in reversed(lines):
        cost = count(line + "\n") if line else 1
        if used + cost > budget:
            if not kept:  # even the cursor line does not fit: keep its end
                kept.append(line[-budget * 2 :])
            break
        kept.append(line)
        used += cost
    return "\n".join(reversed(kept))


def _keep_head(text: str, budget: int, count: CountFn) -> str:
    """The longest run of leading lines of text within budget."""
    if budget <= 0:
        return ""
    if count(text) <= budget:
        return text
    kept: list[str] = []
    used = 0
    for line in text.split("\n"):
        cost = count(line + "\n") if line else 1
        if used + cost > budget:
            if not kept:
                kept.append(line[: budget * 2])
            break
        kept.append(line)
        used += cost
    return "\n".join(kept)


def build(
    family: Family,
    prefix: str,
    suffix: str,
    snippets: Sequence[Snippet],
    count: CountFn,
    budget: int,
    *,
    path: str = "",
    language: str = "c",
    snippet_share: float = 0.3,
    suffix_share: float = 0.2,
) -> Prompt:
    """Render a prompt of at most ``budget`` tokens (as counted by ``count``)."""
    overhead = count(family.render("", "", [], path=path, language=language))
    avail = max(budget - overhead, 16)
    if not family.fim:
        suffix = ""
    suffix_cost = count(suffix) if suffix else 0
    snippet_costs = [count(comment_block([s], language)) for s in snippets]
    want_snip = sum(snippet_costs)
    prefix_cost = count(prefix) if prefix else 0

    snip_budget = min(want_snip, int(avail * snippet_share))
    suffix_budget = min(suffix_cost, int(avail * suffix_share))
    prefix_budget = avail - snip_budget - suffix_budget
    if prefix_cost < prefix_budget:  # give what the prefix does not need back to the others
        spare = prefix_budget - prefix_cost
        prefix_budget = prefix_cost
        extra_suffix = min(spare, suffix_cost - suffix_budget)
        suffix_budget += extra_suffix
        spare -= extra_suffix
        snip_budget += min(spare, want_snip - snip_budget)

    chosen: list[Snippet] = []
    used = 0
    for s, cost in zip(snippets, snippet_costs):
        if used + cost <= snip_budget:
            chosen.append(s)
            used += cost
        elif snip_budget - used > 24:
            cut = _keep_head(s.text, snip_budget - used - 8, count)
            if cut.strip():
                chosen.append(dataclasses.replace(s, text=cut))
            break
    prefix = _keep_tail(prefix, prefix_budget, count)
    suffix = _keep_head(suffix, suffix_budget, count)
    text = family.render(prefix, suffix, chosen, path=path, language=language)
    total = count(text)
    # Per-line counts are an approximation: trim further until the whole fits.
    while total > budget and (prefix or chosen or suffix):
        if chosen:
            chosen.pop()
        elif suffix:
            suffix = _keep_head(suffix, max(count(suffix) - (total - budget) - 4, 0), count)
        else:
            prefix = _keep_tail(prefix, max(count(prefix) - (total - budget) - 4, 0), count)
        text = family.render(prefix, suffix, chosen, path=path, language=language)
        total = count(text)
    return Prompt(text=text, prefix=prefix, suffix=suffix, snippets=chosen, tokens=total)
