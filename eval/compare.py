"""Named settings variants for `--compare`, paired significance tests between them, and the side-by-side table.

Variants share one loaded index and model (`variant_searcher` copies the searcher with other
settings), so comparing five settings costs five query passes, not five index loads. Tests are
paired Student t-tests over the same questions, the test `ranx.compare` runs by default, applied to
the per-question values of every averaged metric; p-values are not corrected for multiple tests.
"""

from __future__ import annotations

import copy
import logging
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

from scipy import stats

from eval.runner import Report
from retrieval.searcher import Searcher
from sitroom.config import RERANKER_BUNDLED, RERANKER_OFF, Settings
from sitroom.errors import SitroomError

logger = logging.getLogger(__name__)

# Variant name → RetrievalConfig fields it sets. First-stage variants run without the reranker, to show what it adds;
# "hybrid" keeps the configured settings (fusion and reranker); "reranked" variants add the cross-encoder.
VARIANTS: dict[str, dict[str, object]] = {
    "dense": {"mode": "dense"},
    "bm25": {"mode": "bm25"},
    "hybrid": {"mode": "hybrid"},
    "hybrid-rrf": {"mode": "hybrid", "fusion": "rrf"},
    "hybrid-convex": {"mode": "hybrid", "fusion": "convex"},
    "reranked": {"mode": "hybrid"},
    "reranked-rrf": {"mode": "hybrid", "fusion": "rrf"},
    "reranked-convex": {"mode": "hybrid", "fusion": "convex"},
}
ALIASES = {"rrf": "hybrid-rrf", "convex": "hybrid-convex"}
# "hybrid-convex@0.3": convex fusion with that weight on the dense scores; "reranked@30": rerank the top 30 always;
# "reranked@10-50": the top 10, or the top 50 when none of the 10 convinces the cross-encoder (RerankConfig).
_WEIGHTED = re.compile(r"^hybrid-convex@(0(?:\.\d+)?|1(?:\.0+)?)$")
_RERANK_DEPTH = re.compile(r"^(reranked(?:-rrf|-convex)?)@([1-9]\d*)(?:-([1-9]\d*))?$")
SIGNIFICANT = 0.05


def parse_variants(text: str) -> list[str]:
    names = [ALIASES.get(name.strip(), name.strip()) for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in VARIANTS and not _WEIGHTED.match(name) and not _RERANK_DEPTH.match(name)]
    if unknown:
        raise SitroomError(f"unknown --compare variant {', '.join(unknown)}; use {', '.join([*VARIANTS, *ALIASES])}")
    if len(names) < 2 or len(set(names)) != len(names):
        raise SitroomError("--compare needs at least two different variants, e.g. --compare dense,bm25,hybrid")
    return names


def variant_settings(name: str, settings: Settings) -> Settings:
    weighted, deep = _WEIGHTED.match(name), _RERANK_DEPTH.match(name)
    base = deep.group(1) if deep else name
    fields = {"mode": "hybrid", "fusion": "convex", "dense_weight": float(weighted.group(1))} if weighted else VARIANTS[base]
    rerank = settings.rerank
    if base.startswith("reranked"):
        model = rerank.model if rerank.model != RERANKER_OFF else RERANKER_BUNDLED
        rerank = replace(rerank, model=model)
        if deep:
            n = int(deep.group(2))  # no first stage: the fused top n are always read
            rerank = replace(rerank, first_candidates=0, candidates=n, deep_candidates=int(deep.group(3) or n))
    elif base != "hybrid":
        rerank = replace(rerank, model=RERANKER_OFF)
    return replace(settings, retrieval=replace(settings.retrieval, **fields), rerank=rerank)


def variant_searcher(searcher: Searcher, settings: Settings) -> Searcher:
    """The same loaded index and model under other settings (a shallow copy)."""
    clone = copy.copy(searcher)
    clone.settings = settings
    return clone


@dataclass(frozen=True)
class PairedTest:
    metric: str
    a: str
    b: str
    delta: float  # mean(b) - mean(a) over the paired questions
    p: float
    n: int


def _paired(metric: str, a: Report, b: Report) -> PairedTest | None:
    b_by_id = {r.id: r.scores for r in b.results}
    values = [(r.scores[metric], b_by_id[r.id][metric]) for r in a.results if metric in r.scores and metric in b_by_id.get(r.id, {})]
    if len(values) < 2:
        return None
    xs, ys = zip(*values, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy warns on (nearly) constant differences
        p = float(stats.ttest_rel(xs, ys).pvalue)
    delta = round(sum(ys) / len(ys) - sum(xs) / len(xs), 4)
    return PairedTest(metric, a.variant, b.variant, delta, 1.0 if math.isnan(p) else round(p, 4), len(values))


def paired_tests(reports: Sequence[Report]) -> list[PairedTest]:
    """Every pair of variants on every metric that has per-question values, in the order of the metrics table."""
    per_question = {name for r in reports for result in r.results for name in result.scores}
    names = [name for name in dict.fromkeys(name for r in reports for name in r.metrics) if name in per_question]
    pairs = [(a, b) for i, a in enumerate(reports) for b in reports[i + 1 :]]
    return [test for name in names for a, b in pairs if (test := _paired(name, a, b)) is not None]


def format_value(value: float | None) -> str:
    """Scores (0-1) to three places, milliseconds to one; "-" where a metric does not apply."""
    return "-" if value is None else f"{value:.1f}" if abs(value) > 1 else f"{value:.3f}"


def table(reports: Sequence[Report], tests: Sequence[PairedTest] = ()) -> str:
    """Metrics side by side; `*` marks a significant difference (paired t-test, p < 0.05) from the first column."""
    baseline = reports[0].variant
    marked = {(t.metric, t.b) for t in tests if t.a == baseline and t.p < SIGNIFICANT}
    names = list(dict.fromkeys(name for r in reports for name in r.metrics))
    width = max(len(name) for name in names)
    columns = [max(len(r.variant), 8) for r in reports]
    lines = ["  ".join([" " * width, *(r.variant.rjust(w) for r, w in zip(reports, columns, strict=True))])]
    for name in names:
        cells = [format_value(r.metrics.get(name)) + ("*" if (name, r.variant) in marked else " ") for r in reports]
        lines.append("  ".join([name.ljust(width), *(c.rjust(w + 1) for c, w in zip(cells, columns, strict=True))]))
    if len(reports) > 1:
        lines.append(f"* p < {SIGNIFICANT} vs {baseline} (paired t-test over questions, uncorrected)")
    return "\n".join(lines)


def to_json(reports: Sequence[Report], tests: Sequence[PairedTest]) -> dict[str, object]:
    return {
        "variants": [r.variant for r in reports],
        "baseline": reports[0].variant,
        "settings": {r.variant: r.settings for r in reports},
        "tests": [asdict(t) for t in tests],
    }
