"""Pure formatting of report tables as Markdown or as a self-contained HTML page."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    flagged: list[bool] = field(default_factory=list)  # rows that must stand out (regressions)
    note: str = ""

    def is_flagged(self, index: int) -> bool:
        return index < len(self.flagged) and self.flagged[index]


def fmt(value: Any, signed: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:+d}" if signed else str(value)
    if isinstance(value, float):
        text = f"{value:+.3f}" if signed else f"{value:.3f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ⏎ ")


def render_markdown(title: str, header: Sequence[str], tables: Sequence[Table]) -> str:
    out = [f"# {title}", ""] + [f"- {_md_cell(line)}" for line in header] + [""]
    for table in tables:
        out += [f"## {table.title}", ""]
        if table.note:
            out += [table.note, ""]
        if not table.rows:
            out += ["(none)", ""]
            continue
        out.append("| " + " | ".join(_md_cell(h) for h in table.headers) + " |")
        out.append("|" + "---|" * len(table.headers))
        for i, row in enumerate(table.rows):
            cells = [_md_cell(c) for c in row]
            if table.is_flagged(i):
                cells[0] = f"**⚠ {cells[0]}**"
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2733;max-width:1400px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #c9d2dc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}td{white-space:pre-wrap;word-break:break-word;max-width:38rem}
tr.flag td{background:#fde2e1;color:#8a1111;font-weight:600}
.gate{color:#8a1111;font-weight:700}figure{display:inline-block;margin:0 1.5rem 1rem 0}
figcaption{font-size:.8rem;color:#55606c}
"""


def render_html(title: str, header: Sequence[str], tables: Sequence[Table], images: Mapping[str, str]) -> str:
    """Everything escaped (replies may carry markup on purpose); images are data: URIs."""
    e = html.escape
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(title)}</title><style>{_CSS}</style></head><body>", f"<h1>{e(title)}</h1><ul>"]
    for line in header:
        css = ' class="gate"' if line.startswith("GATE FAILED") else ""
        out.append(f"<li{css}>{e(line)}</li>")
    out.append("</ul><section>")
    for caption, uri in images.items():
        out.append(f'<figure><img alt="{e(caption)}" src="{uri}"><figcaption>{e(caption)}</figcaption></figure>')
    out.append("</section>")
    for table in tables:
        out.append(f"<h2>{e(table.title)}</h2>")
        if table.note:
            out.append(f"<p>{e(table.note)}</p>")
        if not table.rows:
            out.append("<p>(none)</p>")
            continue
        out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in table.headers) + "</tr></thead><tbody>")
        for i, row in enumerate(table.rows):
            css = ' class="flag"' if table.is_flagged(i) else ""
            out.append(f"<tr{css}>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out)
