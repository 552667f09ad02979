"""`python -m ingest`: build or update the index from knowledge/ (and optional URLs/sitemaps)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from assistant.adapters.embeddings import build_embedder
from assistant.errors import AssistantError
from assistant.settings import load_settings

from .pipeline import IngestReport
from .run import run_ingestion


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("--knowledge", type=Path, help="knowledge directory (default: settings)")
    parser.add_argument("--url", action="append", default=[], help="an http(s) page, sitemap.xml or URL list")
    parser.add_argument("--rebuild", action="store_true", help="re-embed everything into a fresh generation")
    parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def render_report(report: IngestReport) -> str:
    s = report.summary()
    rows = [("added", s["added"]), ("updated", s["updated"]), ("unchanged", s["unchanged"]),
            ("removed", s["removed"]), ("expired", s["expired"]), ("failed", s["failed"]),
            ("kept", s["kept"]), ("chunks", s["chunks"]), ("embedded", s["embedded"]),
            ("curated answers", s["curated"]), ("seconds", s["seconds"])]
    width = max(len(k) for k, _ in rows)
    lines = ["", "Ingestion summary" + (" (dry run: nothing written)" if report.dry_run else ""),
             "-" * (width + 12)]
    lines += [f"{k:<{width}}  {v:>9}" for k, v in rows]
    lines.append(f"generation: {report.generation or '-'}" + ("  (no change)" if report.noop else ""))
    for doc_id in report.expired:
        lines.append(f"EXPIRED  {doc_id}: past its 'expires' date, not served")
    for failure in report.failed:
        lines.append(f"FAILED   {failure.source}: {failure.reason}")
    for doc_id in report.kept:
        lines.append(f"KEPT     {doc_id}: kept from the previous index (its source failed in this run)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    if args.knowledge:
        settings = settings.model_copy(update={"knowledge_dir": args.knowledge})
    try:
        embedder = build_embedder(settings.embedder, settings.embed_threads)
        report = run_ingestion(
            settings, embedder, urls=args.url, rebuild=args.rebuild, dry_run=args.dry_run,
            progress=None if args.quiet else _progress_bar(),
        )
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render_report(report))
    return 1 if report.failed else 0


def _progress_bar() -> Callable[[int, int], None]:
    from tqdm import tqdm

    bar: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr)
        bar["bar"].n = done
        bar["bar"].refresh()
        if done >= total:
            bar["bar"].close()

    return update


if __name__ == "__main__":
    sys.exit(main())
