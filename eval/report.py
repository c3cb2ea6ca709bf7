"""`--report DIR`: report.md and report.html with the metrics, the settings compared, misses and PNG plots.

Both files are rendered from the same sections so they never disagree; every piece of text from
questions and documents is escaped (`html.escape` in HTML, `md_escape` in Markdown, so raw HTML in a
question is shown, never rendered). Plots are drawn on
bare Agg figures, not pyplot, so no global backend state changes and nothing needs a display.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from eval.compare import SIGNIFICANT, PairedTest, format_value
from eval.runner import Report
from sitroom.errors import SitroomError
from sitroom.escaping import md_escape

logger = logging.getLogger(__name__)

HIT_PLOT = "hit_at_k.png"
LATENCY_PLOT = "latency.png"


@dataclass(frozen=True)
class _Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class _Section:
    title: str
    paragraphs: list[str]
    table: _Table | None = None
    images: tuple[tuple[str, str], ...] = ()  # (file, alt text)
    lists: tuple[tuple[str, list[str]], ...] = ()  # (caption, items)


def _sections(title: str, context: dict[str, str], reports: Sequence[Report], tests: Sequence[PairedTest]) -> list[_Section]:
    setting_names = list(dict.fromkeys(name for r in reports for name in r.settings))
    metric_names = list(dict.fromkeys(name for r in reports for name in r.metrics))
    sections = [
        _Section(title, [f"{key}: {value}" for key, value in context.items()]),
        _Section(
            "Settings compared",
            [],
            _Table(["variant", *setting_names], [[r.variant, *(str(r.settings.get(n, "-")) for n in setting_names)] for r in reports]),
        ),
        _Section(
            "Metrics",
            [],
            _Table(
                ["metric", *(r.variant for r in reports)], [[n, *(format_value(r.metrics.get(n)) for r in reports)] for n in metric_names]
            ),
        ),
    ]
    if tests:
        rows = [[t.metric, t.a, t.b, f"{t.delta:+.3f}", f"{t.p:.4f}" + (" *" if t.p < SIGNIFICANT else ""), str(t.n)] for t in tests]
        note = f"Paired t-tests over the same questions (uncorrected); * p < {SIGNIFICANT}; Δ = mean(b) − mean(a)."
        sections.append(_Section("Paired significance tests", [note], _Table(["metric", "a", "b", "Δ", "p", "n"], rows)))
    sections.append(_Section("Plots", [], images=((HIT_PLOT, "Hit@k per variant"), (LATENCY_PLOT, "Latency per question"))))
    for r in reports:
        misses = r.misses
        items = tuple(
            (
                f"{m.id}: {m.question} ({m.note})",
                [*(f"expected: {e}" for e in m.expected), *(f"returned #{i}: {t}" for i, t in enumerate(m.returned, 1))],
            )
            for m in misses
        )
        summary = f"{len(misses)} of {len(r.results)} evaluated had no relevant result in the top 3 (unanswerable questions never count)."
        sections.append(_Section(f"Misses: {r.variant}", [summary], lists=items))
    return sections


def _markdown(sections: list[_Section]) -> str:
    lines: list[str] = []
    for i, s in enumerate(sections):
        lines += [f"{'#' if i == 0 else '##'} {md_escape(s.title)}", ""]
        lines += [*(f"{md_escape(p)}  " for p in s.paragraphs), ""] if s.paragraphs else []
        if s.table:
            lines.append("| " + " | ".join(md_escape(h) for h in s.table.headers) + " |")
            lines.append("|" + "---|" * len(s.table.headers))
            lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in s.table.rows]
            lines.append("")
        lines += [f"![{md_escape(alt)}]({file})\n" for file, alt in s.images]
        for caption, items in s.lists:
            lines += [f"- **{md_escape(caption)}**", *(f"  - {md_escape(item)}" for item in items)]
        if s.lists:
            lines.append("")
    return "\n".join(lines)


def _html(sections: list[_Section]) -> str:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(sections[0].title)}</title>",
        "<style>body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
        "li li{color:#444}</style>",
        "</head><body>",
    ]
    for i, s in enumerate(sections):
        out.append(f"<h{1 if i == 0 else 2}>{e(s.title)}</h{1 if i == 0 else 2}>")
        out += [f"<p>{e(p)}</p>" for p in s.paragraphs]
        if s.table:
            out.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in s.table.headers) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in s.table.rows]
            out.append("</table>")
        out += [f'<p><img src="{e(file)}" alt="{e(alt)}"></p>' for file, alt in s.images]
        if s.lists:
            out.append("<ul>")
            for caption, items in s.lists:
                out.append(f"<li><strong>{e(caption)}</strong><ul>" + "".join(f"<li>{e(item)}</li>" for item in items) + "</ul></li>")
            out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _plot_hits(reports: Sequence[Report], path: Path) -> None:
    figure = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    for r in reports:
        axes.plot(range(1, len(r.hit_curve) + 1), r.hit_curve, marker="o", label=r.variant)
    axes.set(xlabel="k", ylabel="Hit@k", ylim=(0, 1.02), title="Hit@k")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)


def _plot_latency(reports: Sequence[Report], path: Path) -> None:
    figure = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.hist([r.latencies_ms for r in reports], bins=20, label=[r.variant for r in reports])
    axes.set(xlabel="latency per question (ms)", ylabel="questions", title="Latency")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)


def write_report(
    directory: Path, title: str, context: dict[str, str], reports: Sequence[Report], tests: Sequence[PairedTest] = ()
) -> list[Path]:
    """Write report.md, report.html and the plots into `directory`; returns the files written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SitroomError(f"cannot create report folder {directory}: {exc.strerror}") from exc
    _plot_hits(reports, directory / HIT_PLOT)
    _plot_latency(reports, directory / LATENCY_PLOT)
    sections = _sections(title, context, reports, tests)
    (directory / "report.md").write_text(_markdown(sections), encoding="utf-8")
    (directory / "report.html").write_text(_html(sections), encoding="utf-8")
    files = [directory / name for name in ("report.md", "report.html", HIT_PLOT, LATENCY_PLOT)]
    logger.info("wrote %s", ", ".join(map(str, files)))
    return files
