"""Eval: run an eval set against the loaded index, under one or more settings, with eval/'s own code.

The metrics, paired tests, plots and misses all come from `eval.runner`, `eval.compare` and
`eval.report`; this page only lays them out, so the UI and `sitroom eval` can never disagree.
"""

from __future__ import annotations

import html
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import streamlit as st

from eval import compare
from eval.report import HIT_PLOT, LATENCY_PLOT, write_report
from eval.runner import Report, evaluate_set
from eval.sets import EvalQuestion, load_set
from sitroom.errors import SitroomError
from sitroom.escaping import md_escape
from ui.resources import Engine, require_engine

SETS_DIR = Path(compare.__file__).with_name("sets")
# One line per metric, shown beside its value; names as eval.runner reports them.
METRIC_MEANINGS = {
    "hit@1": "share of questions whose first passage holds the evidence",
    "hit@3": "share of questions with the evidence in the top 3 passages",
    "hit@5": "share of questions with the evidence in the top 5 passages",
    "hit@10": "share of questions with the evidence in the top 10 passages",
    "recall@5": "share of all evidence items found in the top 5 (questions with several quotes need all)",
    "recall@10": "share of all evidence items found in the top 10",
    "mrr@10": "1 / rank of the first passage with evidence, averaged (1.0 = always first)",
    "ndcg@10": "rank-weighted gain of the evidence passages in the top 10 (1.0 = ideal order)",
    "answer_contains": "share of answers containing an expected answer string",
    "evidence_in_answer": "share of answers quoting an evidence sentence",
    "citation_valid": "share of quoted sentences found verbatim inside the passage they cite",
    "abstention_accuracy": "share of unanswerable questions where the answer said it found nothing",
    "false_abstention_rate": "share of answerable questions where it wrongly said it found nothing (lower is better)",
    "latency_p50_ms": "median time per question, search plus answer (lower is better)",
    "latency_p95_ms": "95th-percentile time per question (lower is better)",
}
DEFAULT_SET = "seeds_dev.jsonl"
_RESULT = "eval_result"


@dataclass(frozen=True)
class EvalRun:
    set_name: str
    reports: list[Report]
    tests: list[compare.PairedTest]
    plots: dict[str, bytes]  # file name → PNG, drawn by eval.report


def run_eval(engine: Engine, path: Path, variants: list[str], k: int) -> EvalRun:
    questions = load_set(path)
    reports: list[Report] = []
    bar = st.progress(0.0, text="Evaluating…")
    for i, name in enumerate(variants):

        def step(done: int, total: int, question: EvalQuestion, i: int = i, name: str = name) -> None:
            bar.progress(
                (i + done / total) / len(variants),
                text=f"{name} ({i + 1}/{len(variants)}): question {done}/{total} done, {question.id}: {question.question[:80]}",
            )

        searcher = compare.variant_searcher(engine.searcher, compare.variant_settings(name, engine.searcher.settings))
        reports.append(evaluate_set(questions, searcher, k, name, progress=False, on_question=step))
    bar.empty()
    tests = compare.paired_tests(reports) if len(reports) > 1 else []
    with tempfile.TemporaryDirectory() as folder:
        write_report(Path(folder), f"sitroom eval: {path.name}", {"eval set": str(path)}, reports, tests)
        plots = {name: (Path(folder) / name).read_bytes() for name in (HIT_PLOT, LATENCY_PLOT)}
    return EvalRun(path.name, reports, tests, plots)


def show(result: EvalRun) -> None:
    st.subheader(f"Metrics: {md_escape(result.set_name)}")
    names = list(dict.fromkeys(name for r in result.reports for name in r.metrics))
    st.dataframe(
        [{"metric": n, **{r.variant: r.metrics.get(n) for r in result.reports}, "meaning": METRIC_MEANINGS.get(n, "")} for n in names],
        hide_index=True,
        height="content",
        width="stretch",
        column_config={
            **{r.variant: st.column_config.NumberColumn(format="%.3f", width="small") for r in result.reports},
            "meaning": st.column_config.TextColumn(width="large"),
        },
        placeholder="-",
    )
    if result.tests:
        significant = sum(t.p < compare.SIGNIFICANT for t in result.tests)
        with st.expander(f"Paired significance tests ({significant} of {len(result.tests)} with p < {compare.SIGNIFICANT})"):
            st.caption("Paired t-tests over the same questions (uncorrected); Δ = mean(b) − mean(a).")
            st.dataframe([asdict(t) for t in result.tests], hide_index=True)
    left, right = st.columns(2)
    left.image(result.plots[HIT_PLOT], caption="Hit@k per variant")
    right.image(result.plots[LATENCY_PLOT], caption="Latency per question")
    for report in result.reports:
        misses = report.misses
        with st.expander(f"Misses: {report.variant} ({len(misses)} of {len(report.results)} with no relevant passage in the top 3)"):
            st.html(
                "".join(
                    f"<p><b>{html.escape(m.id)}: {html.escape(m.question)}</b> <span class='sr-meta'>({html.escape(m.note)})</span></p><ul>"
                    + "".join(f"<li>expected: {html.escape(e)}</li>" for e in m.expected)
                    + "".join(f"<li>returned #{i}: {html.escape(t)}</li>" for i, t in enumerate(m.returned, 1))
                    + "</ul>"
                    for m in misses
                )
                or "<p>None.</p>"
            )
        with st.expander(f"Every question: {report.variant}"):
            st.dataframe(
                [{"id": q.id, "answer": q.answer, "latency_ms": q.latency_ms, **q.scores} for q in report.results],
                hide_index=True,
            )


def main() -> None:
    st.title("Evaluate")
    engine = require_engine()
    st.warning(
        f"Runs on the live index (`{engine.searcher.settings.index_dir}`, {engine.searcher.manifest.documents} documents): "
        "its documents, any distractors in it and your metadata edits all affect the scores. Expected documents missing "
        "from the index count as misses.",
        icon=":material/warning:",
    )
    bundled = sorted(SETS_DIR.glob("*.jsonl"))
    with st.form("eval"):
        names = [p.name for p in bundled]
        default = names.index(DEFAULT_SET) if DEFAULT_SET in names else 0
        left, right = st.columns(2)
        picked = left.selectbox("Eval set", bundled, index=default, format_func=lambda p: p.name, key="eval_set")
        other = right.text_input("…or the path of another eval set (JSONL)", key="eval_path")
        left, right = st.columns([3, 1])
        retrieval = engine.searcher.settings.retrieval
        variants = left.multiselect("Settings", list(compare.VARIANTS), default=[retrieval.mode], key="eval_variants")
        k = right.number_input("Passages per question (k)", 1, 100, retrieval.k, key="eval_k")
        started = st.form_submit_button("Run", type="primary", icon=":material/play_arrow:")
    if started:
        path = Path(other.strip()).expanduser() if other.strip() else picked
        if path is None or not variants:
            st.warning("Pick an eval set and at least one setting.")
        else:
            try:
                st.session_state[_RESULT] = run_eval(engine, path, variants, int(k))
            except SitroomError as exc:
                st.error(md_escape(exc))
    if _RESULT in st.session_state:
        show(st.session_state[_RESULT])


main()
