// A tiny, safe Markdown renderer for assistant and staff replies.
//
// Everything is text first: the output is built with createElement/createTextNode only (never from HTML strings), so
// HTML in a reply (<img onerror=…>, <script>) is shown as the literal characters it is. On top of that it
// allows: paragraphs, line breaks, bullet and numbered lists, **bold**, *italic*, [links](https://…) and
// bare http(s) URLs. Links must be absolute http: or https: URLs; anything else (javascript:, data:,
// relative paths) renders as plain text. Images are never loaded: ![alt](src) shows its alt text.

const INLINE = new RegExp(
  [
    String.raw`!\[([^\]\n]*)\]\(((?:[^()\s]|\([^()\s]*\))*)\)`, // 1,2 image → alt text only
    String.raw`\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)`, // 3,4 link (URLs may hold one level of (…))
    String.raw`\*\*([^*\n]+)\*\*`, // 5 bold
    String.raw`__([^_\n]+)__`, // 6 bold
    String.raw`\*([^*\s][^*\n]*)\*`, // 7 italic
    String.raw`(?<![\p{L}\p{N}])_([^_\s][^_\n]*)_(?![\p{L}\p{N}])`, // 8 italic
    String.raw`(https?:\/\/[^\s<>()"']+[^\s<>()"'.,;:!?])`, // 9 bare URL
  ].join("|"),
  "gu",
);
const BULLET = /^\s*[-*•]\s+(.*)$/u;
const NUMBERED = /^\s*\d{1,3}[.)]\s+(.*)$/u;

/** The URL as an absolute http(s) address, or null when it is anything else. */
export function safeUrl(value) {
  if (typeof value !== "string" || !/^https?:\/\//iu.test(value.trim())) return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function link(href, children) {
  const a = document.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  a.append(...children);
  return a;
}

function inline(text, allowLinks = true) {
  const nodes = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) nodes.push(document.createTextNode(text.slice(last, m.index)));
    last = m.index + m[0].length;
    if (m[1] !== undefined) {
      if (m[1]) nodes.push(document.createTextNode(m[1]));
    } else if (m[3] !== undefined) {
      const href = allowLinks ? safeUrl(m[4]) : null;
      nodes.push(href ? link(href, inline(m[3], false)) : document.createTextNode(m[3]));
    } else if (m[5] !== undefined || m[6] !== undefined) {
      const strong = document.createElement("strong");
      strong.append(...inline(m[5] ?? m[6], allowLinks));
      nodes.push(strong);
    } else if (m[7] !== undefined || m[8] !== undefined) {
      const em = document.createElement("em");
      em.append(...inline(m[7] ?? m[8], allowLinks));
      nodes.push(em);
    } else if (m[9] !== undefined) {
      const href = allowLinks ? safeUrl(m[9]) : null;
      nodes.push(href ? link(href, [document.createTextNode(m[9])]) : document.createTextNode(m[9]));
    }
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

function paragraph(lines) {
  const p = document.createElement("p");
  lines.forEach((line, i) => {
    if (i) p.append(document.createElement("br"));
    p.append(...inline(line));
  });
  return p;
}

function list(tag, items) {
  const el = document.createElement(tag);
  for (const item of items) {
    const li = document.createElement("li");
    li.append(...inline(item));
    el.append(li);
  }
  return el;
}

function block(lines) {
  const out = [];
  let run = [];
  let kind = null;
  const flush = () => {
    if (!run.length) return;
    out.push(kind === "ul" ? list("ul", run) : kind === "ol" ? list("ol", run) : paragraph(run));
    run = [];
  };
  for (const line of lines) {
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const lineKind = bullet ? "ul" : numbered ? "ol" : "p";
    if (lineKind !== kind) flush();
    kind = lineKind;
    run.push(bullet ? bullet[1] : numbered ? numbered[1] : line);
  }
  flush();
  return out;
}

/** Render Markdown-ish text into a DocumentFragment of safe nodes. */
export function render(text) {
  const fragment = document.createDocumentFragment();
  const normalised = String(text ?? "").replace(/\r\n?/gu, "\n");
  for (const chunk of normalised.split(/\n\s*\n/u)) {
    const lines = chunk.split("\n").filter((line) => line.trim() !== "");
    if (lines.length) fragment.append(...block(lines));
  }
  return fragment;
}
