// The chat API client: conversations with their bearer token, SSE replies over fetch, the other calls.

const SESSION_KEY = "ipo.conversation";

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** Parse a text/event-stream body; calls onEvent(kind, data) per event. */
export async function readEvents(body, onEvent) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    buffer = buffer.replace(/\r\n?/gu, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      dispatch(buffer.slice(0, end), onEvent);
      buffer = buffer.slice(end + 2);
    }
    if (done) break;
  }
  if (buffer.trim()) dispatch(buffer, onEvent);
}

function dispatch(block, onEvent) {
  let kind = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /u, "");
    if (name === "event") kind = value;
    else if (name === "data") data.push(value);
  }
  if (!data.length) return;
  let parsed;
  try {
    parsed = JSON.parse(data.join("\n"));
  } catch {
    parsed = { raw: data.join("\n") };
  }
  onEvent(kind, parsed);
}

export class Api {
  constructor(base = "") {
    this.base = base;
    this.language = "en";
    this.conversation = loadSession();
  }

  get hasConversation() {
    return Boolean(this.conversation);
  }

  forget() {
    this.conversation = null;
    try {
      sessionStorage.removeItem(SESSION_KEY);
    } catch {
      /* storage blocked */
    }
  }

  headers(json = true) {
    const headers = { Accept: "application/json", "X-IPO-Language": this.language };
    if (json) headers["Content-Type"] = "application/json";
    if (this.conversation) headers.Authorization = `Bearer ${this.conversation.token}`;
    return headers;
  }

  async request(method, path, body) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: this.headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
    if (!response.ok) throw await toError(response);
    return response.status === 204 ? null : response.json();
  }

  async ensureConversation() {
    if (this.conversation) return this.conversation;
    const created = await this.request("POST", "/api/conversations", { locale: this.language });
    this.conversation = { id: created.id, token: created.token };
    try {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(this.conversation));
    } catch {
      /* storage blocked: the conversation lasts as long as the page */
    }
    return this.conversation;
  }

  path(suffix = "") {
    return `/api/conversations/${encodeURIComponent(this.conversation.id)}${suffix}`;
  }

  config() {
    return this.request("GET", "/api/config");
  }

  history() {
    return this.request("GET", this.path());
  }

  messagesAfter(id) {
    return this.request("GET", this.path(`/messages?after=${encodeURIComponent(id)}`));
  }

  feedback(messageId, rating) {
    return this.request("POST", this.path("/feedback"), { message_id: messageId, rating });
  }

  handoff(form) {
    return this.request("POST", this.path("/handoff"), form);
  }

  async erase() {
    if (!this.conversation) return;
    await this.request("DELETE", this.path());
    this.forget();
  }

  /** Send a message; onEvent(kind, data) for each streamed event. Resolves when the stream ends. */
  async send(text, onEvent) {
    await this.ensureConversation();
    const response = await fetch(`${this.base}${this.path("/messages")}`, {
      method: "POST",
      headers: { ...this.headers(true), Accept: "text/event-stream" },
      body: JSON.stringify({ text, locale: this.language }),
      credentials: "omit",
    });
    if (!response.ok) throw await toError(response);
    let ended = false;
    await readEvents(response.body, (kind, data) => {
      if (["done", "error", "interrupted"].includes(kind)) ended = true;
      onEvent(kind, data);
    });
    if (!ended) throw new ApiError(0, "interrupted", null);
  }
}

async function toError(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    /* not JSON */
  }
  return new ApiError(response.status, body.error || "generic", body.message, response.headers.get("Retry-After"));
}

function loadSession() {
  try {
    const value = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    return value && typeof value.id === "string" && typeof value.token === "string" ? value : null;
  } catch {
    return null;
  }
}
