"""Library: what is indexed (each row opens its document), correcting a document's title/source/date, uploads, removal.

Messages render Markdown, so every file name, document id and reason in them goes through `md_escape`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from index import overrides
from index.builder import IndexSummary
from sitroom.config import Settings
from sitroom.errors import SitroomError
from sitroom.escaping import md_escape
from ui import library, render, resources

_FLASH = "library_flash"


def flash(kind: str, text: str) -> None:
    """Queue a message for the next run, which happens right after a build so the table shows the new index."""
    st.session_state.setdefault(_FLASH, []).append((kind, text))


def progress_bar() -> Callable[[int, int], None]:
    bar = st.progress(0.0, text="Reading and chunking…")
    return lambda done, total: bar.progress(done / total, text=f"Embedded {done}/{total} documents (unchanged ones come from the cache)")


def summary_text(summary: IndexSummary) -> str:
    parts = [
        f"{len(ids)} {label}"
        for label, ids in (("added", summary.added), ("changed", summary.changed), ("removed", summary.removed))
        if ids
    ]
    return f"{', '.join(parts) or 'nothing changed'}; the index has {summary.documents} documents, {summary.chunks} chunks ({summary.seconds:.1f} s)"


def documents_table(engine: resources.Engine, settings: Settings) -> None:
    rows = engine.searcher.store.documents("doc_id, title, source, date, n_chunks, length(cleaned) AS chars, root")
    manifest = engine.searcher.manifest
    cols = st.columns(4)
    cols[0].metric("Documents", manifest.documents)
    cols[1].metric("Chunks", manifest.chunks)
    cols[2].metric("Dated", sum(1 for r in rows if r["date"]))
    cols[3].metric("Updated", manifest.updated[:16].replace("T", " "))
    uploaded = str(library.library_dir(settings))
    table = [{**dict(r), "characters": f"{r['chars']:,}", "uploaded": "yes" if r["root"] == uploaded else ""} for r in rows]
    st.caption("Click a title to open the document.")
    st.html(render.documents_table_html(table, extra=("characters", "uploaded")))


def edit_metadata(engine: resources.Engine, settings: Settings) -> None:
    """Correct what detection got wrong; kept in the index directory, so re-indexing keeps it."""
    rows = {r["doc_id"]: r for r in engine.searcher.store.documents("doc_id, title, source, date")}
    st.subheader("Edit title, source and date")
    doc_id = st.selectbox(
        "Document", list(rows), index=None, placeholder="Pick a document to correct", key="edit_doc",
        format_func=lambda d: f"{rows[d]['title'][:70]} ({d})",
    )  # fmt: skip
    if doc_id is None:
        return
    row = rows[doc_id]
    with st.form("edit_metadata"):
        title = st.text_input("Title", value=row["title"], key=f"edit_title_{doc_id}")
        left, right = st.columns(2)
        source = left.text_input("Source", value=row["source"] or "", key=f"edit_source_{doc_id}", placeholder="none")
        when = right.text_input("Date", value=row["date"] or "", key=f"edit_date_{doc_id}", placeholder="YYYY-MM-DD, empty for undated")
        if not st.form_submit_button("Save", icon=":material/save:"):
            return
    current = {"title": row["title"], "source": row["source"] or "", "date": row["date"] or ""}
    edited = {name: value for name, value in (("title", title), ("source", source), ("date", when)) if value.strip() != current[name]}
    if not edited:
        st.info("Nothing changed.")
        return
    try:
        overrides.save(settings.index_dir, doc_id, overrides.checked(**edited))
    except SitroomError as exc:
        st.error(str(exc))
        return
    flash(
        "success",
        f"Saved {', '.join(edited)} of {md_escape(doc_id)}; searches and answers use it now, and re-indexing keeps it.",
    )
    st.rerun()


def add(settings: Settings, files: list[tuple[str, bytes]]) -> None:
    saved = library.save_uploads(files, library.library_dir(settings))
    for rejected in saved.rejected:
        flash("error", f"Not added: **{md_escape(rejected.path)}**: {md_escape(rejected.reason)}.")
    if not (saved.saved or saved.replaced):
        return
    names = md_escape(", ".join(p.name for p in [*saved.saved, *saved.replaced]))
    try:
        summary = library.index_library(settings, resources.embedder(settings.embedding), progress_bar())
    except SitroomError as exc:
        flash("error", f"Saved {names} but indexing failed: {md_escape(exc)}")
        return
    flash("success", f"Indexed {names}: {summary_text(summary)}.")
    for rejected in summary.rejected:
        flash("warning", f"Skipped {md_escape(Path(rejected.path).name)}: {md_escape(rejected.reason)}.")


def remove(settings: Settings, doc_id: str, root: str) -> None:
    try:
        summary = library.remove_document(settings, resources.embedder(settings.embedding), doc_id, root, progress_bar())
    except SitroomError as exc:
        flash("error", f"Could not remove {md_escape(doc_id)}: {md_escape(exc)}")
        return
    flash("success", f"Removed {md_escape(doc_id)}: {summary_text(summary)}.")


def main() -> None:
    st.title("Library")
    settings = resources.settings()
    for kind, text in st.session_state.pop(_FLASH, []):
        getattr(st, kind)(text)
    try:
        engine = resources.engine(settings)
    except SitroomError as exc:
        st.error(md_escape(exc))
        engine = None
    if engine is None:
        resources.show_missing_index(settings)
    else:
        documents_table(engine, settings)
        edit_metadata(engine, settings)

    st.subheader("Add briefings")
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            f"Briefings ({', '.join(library.UPLOAD_TYPES)}; up to {library.MAX_UPLOAD_MB} MB each)",
            accept_multiple_files=True, max_upload_size=library.MAX_UPLOAD_MB,
            help=f"Saved to {library.library_dir(settings)} and indexed; a file with the same name replaces the earlier upload.",
        )  # fmt: skip
        if st.form_submit_button("Add and index", type="primary", icon=":material/upload:"):
            if not files:
                st.warning("Choose at least one file first.")
            else:
                add(settings, [(f.name, f.getvalue()) for f in files])
                st.rerun()

    if engine is None:
        return
    st.subheader("Remove a document")
    roots = {row["doc_id"]: row["root"] for row in engine.searcher.store.documents("doc_id, root")}
    with st.form("remove"):
        doc_id = st.selectbox("Document", list(roots), index=None, placeholder="Pick a document", key="remove_doc")
        confirmed = st.checkbox("Yes, remove it from the index (an uploaded file is deleted too)")
        if st.form_submit_button("Remove", icon=":material/delete:"):
            if not (doc_id and confirmed):
                st.warning("Pick a document and tick the box to confirm.")
            else:
                remove(settings, doc_id, roots[doc_id])
                st.rerun()


main()
