// The chat: streams replies, shows sources, feedback, staff replies, handoff and erasure.

import { Api, ApiError } from "./api.js";
import { Handoff } from "./handoff.js";
import { I18n } from "./i18n.js";
import { link, render, safeUrl } from "./markdown.js";

const $ = (selector) => document.querySelector(selector);

class Chat {
  constructor(i18n, api, config) {
    this.i18n = i18n;
    this.api = api;
    this.config = config;
    this.log = $("#log");
    this.status = $("#status");
    this.input = $("#message");
    this.busy = false;
    this.lastId = 0;
    this.rendered = new Set();
    this.pollTimer = null;
    this.handoff = new Handoff({
      section: $("#handoff"),
      i18n,
      api,
      onDone: (result) => this.handoffDone(result),
      onOpenChange: (open) => {
        $("#chat").classList.toggle("handoff-open", open);
      },
    });
  }

  start() {
    const select = $("#language");
    this.i18n.fillSelect(select, this.i18n.lang);
    select.addEventListener("change", () => this.setLanguage(select.value));
    this.input.maxLength = this.config.max_message_chars || 2000;
    $("#composer").addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    $("#talk").addEventListener("click", (event) => this.handoff.open(event.currentTarget));
    $("#delete").addEventListener("click", () => this.confirmDelete(true));
    $("#delete-yes").addEventListener("click", () => this.erase());
    $("#delete-no").addEventListener("click", () => this.confirmDelete(false));
    $("#close").addEventListener("click", () => window.parent.postMessage({ type: "ipo-widget:close" }, "*"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && document.documentElement.classList.contains("embedded") && !this.handoff.isOpen) {
        window.parent.postMessage({ type: "ipo-widget:close" }, "*");
      }
    });
    this.welcome();
    if (this.api.hasConversation) this.restore();
  }

  setLanguage(code) {
    this.i18n.apply(code);
    this.api.language = this.i18n.lang;
    const welcome = this.log.querySelector(".welcome .content");
    if (welcome) welcome.replaceChildren(render(this.i18n.t("welcome")));
    for (const el of this.log.querySelectorAll("[data-i18n], [data-i18n-label]")) {
      if (el.dataset.i18n) el.textContent = this.i18n.t(el.dataset.i18n);
      if (el.dataset.i18nLabel) el.setAttribute("aria-label", this.i18n.t(el.dataset.i18nLabel));
    }
  }

  welcome() {
    const bubble = this.bubble("assistant", { welcome: true });
    bubble.content.replaceChildren(render(this.i18n.t("welcome")));
  }

  announce(key) {
    this.status.textContent = this.i18n.t(key);
  }

  // --- messages ----------------------------------------------------------------------------
  bubble(role, { id = null, welcome = false, urgent = false } = {}) {
    const article = document.createElement("article");
    article.className = `msg ${role}${welcome ? " welcome" : ""}${urgent ? " urgent" : ""}`;
    const who = document.createElement("h2");
    who.className = "who";
    who.dataset.i18n = role === "user" ? "you" : role === "staff" ? "staff" : "assistant";
    who.textContent = this.i18n.t(who.dataset.i18n);
    const content = document.createElement("div");
    content.className = "content";
    content.dir = "auto"; // an Arabic answer reads right-to-left inside an English interface, and vice versa
    article.append(who, content);
    if (id) this.remember(id);
    this.log.append(article);
    article.scrollIntoView({ block: "end" });
    return { article, content };
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  remember(id) {
    this.rendered.add(id);
    this.lastId = Math.max(this.lastId, id);
  }

  showMessage(message) {
    if (this.rendered.has(message.id)) return;
    const bubble = this.bubble(message.role, { id: message.id });
    if (message.language) bubble.content.lang = message.language;
    bubble.content.replaceChildren(render(message.text));
    if (message.role === "assistant") {
      this.sources(bubble.article, message.citations || []);
      if (message.route !== "handoff") this.feedbackButtons(bubble.article, message.id);
    }
    this.scrollToEnd();
  }

  sources(article, items) {
    if (!items.length) return;
    const nav = document.createElement("nav");
    nav.className = "sources";
    nav.dataset.i18nLabel = "sources";
    nav.setAttribute("aria-label", this.i18n.t("sources"));
    const heading = document.createElement("h3");
    heading.dataset.i18n = "sources";
    heading.textContent = this.i18n.t("sources");
    const list = document.createElement("ol");
    for (const item of items) {
      const li = document.createElement("li");
      const title = String(item.title || item.source || "");
      const href = safeUrl(item.source);
      li.append(href ? link(href, [document.createTextNode(title)]) : document.createTextNode(title));
      list.append(li);
    }
    nav.append(heading, list);
    article.append(nav);
  }

  feedbackButtons(article, messageId) {
    const group = document.createElement("div");
    group.className = "feedback";
    group.setAttribute("role", "group");
    group.dataset.i18nLabel = "feedback_question";
    group.setAttribute("aria-label", this.i18n.t("feedback_question"));
    for (const [rating, key, symbol] of [["up", "helpful", "👍"], ["down", "not_helpful", "👎"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `thumb ${rating}`;
      button.dataset.i18nLabel = key;
      button.setAttribute("aria-label", this.i18n.t(key));
      button.setAttribute("aria-pressed", "false");
      button.textContent = symbol;
      button.addEventListener("click", () => this.rate(group, button, messageId, rating));
      group.append(button);
    }
    article.append(group);
  }

  async rate(group, button, messageId, rating) {
    try {
      await this.api.feedback(messageId, rating);
      for (const other of group.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === button));
      this.announce("feedback_thanks");
    } catch (error) {
      this.status.textContent = error.message || this.i18n.t("error_generic");
    }
  }

  // --- sending -------------------------------------------------------------------------------
  async send() {
    const text = this.input.value.trim();
    this.showError(null);
    if (this.busy) return;
    if (!text) return this.showError(this.i18n.t("error_message_empty"));
    const max = this.config.max_message_chars || 2000;
    if (text.length > max) return this.showError(this.i18n.t("error_message_too_long", { max }));
    this.setBusy(true);
    this.bubble("user").content.replaceChildren(render(text));
    this.input.value = "";
    const reply = this.bubble("assistant");
    reply.article.setAttribute("aria-busy", "true");
    const state = { text: "", citations: [], escalation: false, messageId: null, erase: false };
    try {
      await this.api.send(text, (kind, data) => this.onEvent(reply, state, kind, data));
    } catch (error) {
      this.failed(reply, error);
    } finally {
      reply.article.removeAttribute("aria-busy");
      this.finish(reply, state);
      this.setBusy(false);
    }
  }

  onEvent(reply, state, kind, data) {
    if (kind === "route") {
      if (data.language) reply.content.lang = data.language;
      if (data.route === "emergency") reply.article.classList.add("urgent");
    }
    if (kind === "text") {
      state.text += data.text || "";
      reply.content.replaceChildren(render(state.text));
      this.scrollToEnd();
    } else if (kind === "citations") {
      state.citations = data.items || [];
    } else if (kind === "escalation") {
      state.escalation = true;
    } else if (kind === "done") {
      state.messageId = data.message_id || null;
      state.erase = Boolean(data.erase);
    } else if (kind === "error" || kind === "interrupted") {
      this.inlineError(reply, data.message || this.i18n.t(kind === "error" ? "error_generic" : "error_interrupted"));
    }
  }

  finish(reply, state) {
    this.sources(reply.article, state.citations);
    if (state.escalation) {
      const offer = document.createElement("button");
      offer.type = "button";
      offer.className = "secondary offer";
      offer.dataset.i18n = "talk_to_person";
      offer.textContent = this.i18n.t("talk_to_person");
      offer.addEventListener("click", (event) => this.handoff.open(event.currentTarget));
      reply.article.append(offer);
    }
    if (state.messageId) {
      this.remember(state.messageId);
      this.feedbackButtons(reply.article, state.messageId);
    }
    this.announce("reply_ready");
    this.scrollToEnd();
    if (state.erase) this.erased(reply.article);
  }

  /** The family asked in the chat to delete their data: the server erased it; clear it here too. */
  erased(keep) {
    this.api.forget();
    this.stopPolling();
    for (const article of [...this.log.children]) if (article !== keep) article.remove();
    this.rendered.clear();
    this.lastId = 0;
  }

  failed(reply, error) {
    if (error instanceof ApiError && error.status === 404) this.api.forget();
    const message = error instanceof ApiError && error.status ? error.message : this.i18n.t(
      error instanceof ApiError && error.code === "interrupted" ? "error_interrupted" : "error_network");
    this.inlineError(reply, message);
  }

  inlineError(reply, message) {
    const p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    reply.content.append(p);
  }

  setBusy(busy) {
    this.busy = busy;
    $("#send").disabled = busy;
    this.log.setAttribute("aria-busy", String(busy));
    if (busy) this.announce("typing");
  }

  showError(message) {
    const box = $("#composer-error");
    box.hidden = !message;
    box.textContent = message || "";
  }

  // --- conversation state --------------------------------------------------------------------
  async restore() {
    try {
      const conversation = await this.api.history();
      for (const message of conversation.messages) this.showMessage(message);
      if (conversation.case_id) this.startPolling();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.api.forget();
    }
  }

  handoffDone(result) {
    const bubble = this.bubble("assistant", { id: result.message_id });
    bubble.content.replaceChildren(render(result.message));
    bubble.article.classList.add("confirmation");
    bubble.article.tabIndex = -1;
    bubble.article.focus();
    this.status.textContent = result.message;
    this.startPolling();
  }

  startPolling() {
    if (this.pollTimer) return;
    const every = Math.max(2, this.config.poll_interval_s || 5) * 1000;
    this.pollTimer = setInterval(() => this.poll(), every);
  }

  async poll() {
    if (!this.api.hasConversation || document.hidden || this.busy) return;
    try {
      const { messages } = await this.api.messagesAfter(this.lastId);
      for (const message of messages) {
        if (message.role === "staff") this.showMessage(message);
        else this.remember(message.id);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.stopPolling();
    }
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  confirmDelete(show) {
    $("#delete-confirm").hidden = !show;
    (show ? $("#delete-no") : $("#delete")).focus();
  }

  async erase() {
    try {
      await this.api.erase();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        this.showError(error.message || this.i18n.t("error_generic"));
        return;
      }
      this.api.forget();
    }
    this.stopPolling();
    $("#delete-confirm").hidden = true;
    this.log.replaceChildren();
    this.rendered.clear();
    this.lastId = 0;
    this.welcome();
    this.status.textContent = this.i18n.t("deleted");
    this.input.focus();
  }
}

async function main() {
  if (new URLSearchParams(location.search).get("embed") === "1") document.documentElement.classList.add("embedded");
  const i18n = await I18n.load();
  i18n.apply(i18n.pick());
  const api = new Api("");
  api.language = i18n.lang;
  let config = {};
  try {
    config = await api.config();
  } catch {
    /* defaults */
  }
  const chat = new Chat(i18n, api, config);
  chat.start();
  document.documentElement.classList.add("ready");
}

main();
