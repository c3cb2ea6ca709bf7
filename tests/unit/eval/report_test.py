from __future__ import annotations

from eval.compare import paired_tests
from eval.report import write_report
from eval.runner import QuestionResult, Report
from eval.sets import Evidence
from retrieval.passages import Passage

PNG = b"\x89PNG\r\n\x1a\n"


def top(doc: str, text: str) -> Passage:
    return Passage(
        rank=1, score=1.0, chunk_id=0, doc=doc, title="t", source=None, date=None, headline=None, text=text,
        start=0, end=len(text), orig_start=0, orig_end=len(text), sentences=(), dense=0.0,
    )  # fmt: skip


def result(qid: str, first_rank: int | None, latency: float) -> QuestionResult:
    return QuestionResult(
        id=qid, question=f"What did <script>alert('{qid}')</script> say | about A&B?", unanswerable=False,
        evidence=(Evidence("a.txt", "the <b>quote</b>"),), first_ranks=[first_rank], retrieved=10,
        top=[top("b.txt", "unrelated text with <tags> & pipes |")], answer="", abstained=True, cited=0, cited_valid=0,
        latency_ms=latency, scores={"hit@1": float(first_rank == 1)},
    )  # fmt: skip


def report(variant: str, ranks: list[int | None]) -> Report:
    results = [result(f"q{i}", r, 10.0 + 5 * i) for i, r in enumerate(ranks)]
    hits = sum(r == 1 for r in ranks) / len(ranks)
    return Report(variant, {"mode": variant, "k": 10}, {"hit@1": hits, "abstention_accuracy": None}, [hits] * 10, results)


def test_report_files_are_written_with_plots_and_escaped_text(tmp_path):
    reports = [report("dense", [1, 1, 5, None]), report("bm25", [1, 4, None, None])]
    files = write_report(tmp_path / "out", "sitroom eval: dev", {"eval set": "dev.jsonl"}, reports, paired_tests(reports))
    assert sorted(f.name for f in files) == ["hit_at_k.png", "latency.png", "report.html", "report.md"]
    for png in ("hit_at_k.png", "latency.png"):
        assert (tmp_path / "out" / png).read_bytes().startswith(PNG)

    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page and "A&amp;B" in page
    assert '<img src="hit_at_k.png"' in page and '<img src="latency.png"' in page
    assert "Misses: dense" in page and "first covered at rank 5" in page and "not in the top 10" in page

    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| metric | dense | bm25 |" in markdown and "| hit@1 | 0.500 | 0.250 |" in markdown
    assert "| abstention\\_accuracy | - | - |" in markdown
    assert "## Settings compared" in markdown and "## Paired significance tests" in markdown
    assert "![Hit@k per variant](hit_at_k.png)" in markdown
    assert "expected: a.txt: the &lt;b&gt;quote&lt;/b&gt;" in markdown
    assert markdown.count("returned #1: b.txt 0-") == 2 + 3  # misses: dense q2, q3; bm25 q1, q2, q3


def test_report_markdown_shows_raw_html_and_markdown_from_questions_as_text(tmp_path):
    hostile = report("dense", [None])
    hostile.results[0].question = "Who <img src=x onerror=alert(1)> said ![x](http://127.0.0.1:9/leak.png) about *A* | B?"
    write_report(tmp_path, "sitroom eval: <i>dev</i>", {"eval set": "dev.jsonl"}, [hostile])
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "<img" not in markdown and "<i>" not in markdown and "![x](" not in markdown
    assert "Who &lt;img src=x onerror=alert\\(1\\)&gt; said \\!\\[x\\]\\(http://127.0.0.1:9/leak.png\\) about \\*A\\* \\| B?" in markdown
    assert markdown.startswith("# sitroom eval: &lt;i&gt;dev&lt;/i&gt;\n")
