// One-line embed for the hospital's pages:
//   <script src="https://ASSISTANT-HOST/widget.js" defer></script>   (optional: data-lang="nl")
// It adds a "Chat with us" button; the chat opens in a frame served by the assistant's own origin, so the
// host page's scripts cannot read what a family types. The frame loads only when the button is first used.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__ipoWidget) return;
  window.__ipoWidget = true;

  const LABELS = {
    en: "Chat with us", nl: "Chat met ons", ar: "تحدثوا معنا", ru: "Напишите нам", uk: "Напишіть нам",
    tr: "Bize yazın", id: "Chat dengan kami", pl: "Porozmawiaj z nami", es: "Chatee con nosotros",
    fr: "Discuter avec nous", de: "Chatten Sie mit uns",
  };
  const origin = new URL(script.src, location.href).origin;
  const wanted = (script.dataset.lang || document.documentElement.lang || navigator.language || "en");
  const lang = wanted.toLowerCase().split(/[-_]/)[0] in LABELS ? wanted.toLowerCase().split(/[-_]/)[0] : "en";
  const label = LABELS[lang];

  const host = document.createElement("div");
  host.id = "ipo-chat-widget";
  host.dir = lang === "ar" ? "rtl" : "ltr";
  const root = host.attachShadow({ mode: "open" });

  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = `${origin}/static/widget.css`;

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "ipo-panel");
  launcher.lang = lang;
  const icon = document.createElement("span");
  icon.className = "bubble";
  icon.setAttribute("aria-hidden", "true");
  const text = document.createElement("span");
  text.textContent = label;
  launcher.append(icon, text);

  const panel = document.createElement("div");
  panel.id = "ipo-panel";
  panel.className = "panel";
  panel.hidden = true;
  let frame = null;

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = `${origin}/?embed=1&lang=${encodeURIComponent(lang)}`;
      frame.title = label;
      frame.lang = lang;
      frame.referrerPolicy = "no-referrer";
      panel.append(frame);
    }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    frame.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  window.addEventListener("message", (event) => {
    if (frame && event.origin === origin && event.source === frame.contentWindow &&
        event.data && event.data.type === "ipo-widget:close") close();
  });

  root.append(style, panel, launcher);
  (document.body || document.documentElement).append(host);
})();
