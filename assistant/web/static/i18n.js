// UI strings: loaded from i18n.json, chosen from ?lang=, the visitor's earlier choice, or the browser.

const STORAGE_KEY = "ipo.lang";

export class I18n {
  constructor(data) {
    this.data = data;
    this.codes = Object.keys(data.languages);
    this.lang = "en";
  }

  static async load(base = "/static/") {
    const response = await fetch(`${base}i18n.json`, { credentials: "omit" });
    return new I18n(await response.json());
  }

  /** First supported language of: the URL, the stored choice, the browser's list; else English. */
  pick() {
    const candidates = [
      new URLSearchParams(location.search).get("lang"),
      safeStorage()?.getItem(STORAGE_KEY),
      ...(navigator.languages || [navigator.language]),
    ];
    for (const tag of candidates) {
      const code = this.normalise(tag);
      if (code) return code;
    }
    return "en";
  }

  normalise(tag) {
    if (!tag) return null;
    const code = String(tag).trim().toLowerCase().split(/[-_]/u)[0];
    return this.codes.includes(code) ? code : null;
  }

  get dir() {
    return this.data.languages[this.lang]?.dir || "ltr";
  }

  t(key, vars = {}) {
    const table = this.data.strings[this.lang] || this.data.strings.en;
    const text = table[key] ?? this.data.strings.en[key] ?? key;
    return text.replace(/\{(\w+)\}/gu, (_, name) => String(vars[name] ?? ""));
  }

  /** Switch language: <html lang dir>, every [data-i18n*] element, the stored choice. */
  apply(code, root = document) {
    this.lang = this.normalise(code) || "en";
    document.documentElement.lang = this.lang;
    document.documentElement.dir = this.dir;
    for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = this.t(el.dataset.i18n);
    for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", this.t(el.dataset.i18nLabel));
    for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = this.t(el.dataset.i18nPlaceholder);
    safeStorage()?.setItem(STORAGE_KEY, this.lang);
  }

  /** <option>s of the 11 languages, each named in its own language. */
  fillSelect(select, selected) {
    select.replaceChildren();
    for (const code of this.codes) {
      const option = document.createElement("option");
      option.value = code;
      option.lang = code;
      option.textContent = this.data.languages[code].name;
      option.selected = code === selected;
      select.append(option);
    }
  }
}

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage blocked (third-party frame settings): the choice just is not remembered
  }
}
