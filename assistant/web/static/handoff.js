// "Talk to a person": the intake form with its privacy notice and consent box, usable by keyboard alone.

const EMAIL = /^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$/u;

export class Handoff {
  constructor({ section, i18n, api, onDone, onOpenChange }) {
    this.section = section;
    this.form = section.querySelector("form");
    this.i18n = i18n;
    this.api = api;
    this.onDone = onDone;
    this.onOpenChange = onOpenChange;
    this.opener = null;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    section.querySelector("#handoff-cancel").addEventListener("click", () => this.close());
    this.form.addEventListener("input", (event) => this.clearField(event.target));
    section.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.close();
      }
    });
  }

  get isOpen() {
    return !this.section.hidden;
  }

  open(opener) {
    this.opener = opener || document.activeElement;
    const select = this.form.elements.preferred_language;
    this.i18n.fillSelect(select, this.i18n.lang);
    this.clearErrors();
    this.section.hidden = false;
    this.onOpenChange(true);
    this.section.querySelector("#handoff-title").focus();
  }

  close() {
    this.section.hidden = true;
    this.onOpenChange(false);
    (this.opener && this.opener.isConnected ? this.opener : document.querySelector("#message"))?.focus();
  }

  clearErrors() {
    for (const el of this.form.querySelectorAll(".field-error")) {
      el.hidden = true;
      el.textContent = "";
    }
    for (const el of this.form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    const error = this.section.querySelector("#handoff-error");
    error.hidden = true;
    error.textContent = "";
  }

  clearField(input) {
    if (!input.name || !input.hasAttribute("aria-invalid")) return;
    input.removeAttribute("aria-invalid");
    const message = this.form.querySelector(`#f-${input.name.replace("_", "-")}-error`);
    if (message) {
      message.hidden = true;
      message.textContent = "";
    }
  }

  fieldError(name, key) {
    const input = this.form.elements[name];
    const message = this.form.querySelector(`#f-${name.replace("_", "-")}-error`);
    input.setAttribute("aria-invalid", "true");
    message.textContent = this.i18n.t(key);
    message.hidden = false;
    return input;
  }

  /** Client-side checks (the server checks again); focuses the first problem. */
  validate() {
    const f = this.form.elements;
    const problems = [];
    if (!f.name.value.trim()) problems.push(this.fieldError("name", "required_field"));
    if (!EMAIL.test(f.email.value.trim())) problems.push(this.fieldError("email", "invalid_email"));
    const age = f.child_age.value.trim();
    if (age && !(/^\d{1,2}$/u.test(age) && Number(age) <= 25)) problems.push(this.fieldError("child_age", "invalid_age"));
    if (!f.consent.checked) problems.push(this.fieldError("consent", "consent_required"));
    if (problems.length) problems[0].focus();
    return problems.length === 0;
  }

  values() {
    const f = this.form.elements;
    const optional = (value) => value.trim() || null;
    return {
      name: f.name.value.trim(),
      email: f.email.value.trim(),
      country: optional(f.country.value),
      child_age: f.child_age.value.trim() ? Number(f.child_age.value) : null,
      diagnosis: optional(f.diagnosis.value),
      preferred_language: f.preferred_language.value || null,
      consent: f.consent.checked,
    };
  }

  async submit() {
    this.clearErrors();
    if (!this.validate()) return;
    const button = this.form.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = this.i18n.t("sending");
    try {
      await this.api.ensureConversation();
      const result = await this.api.handoff(this.values());
      this.form.reset();
      this.section.hidden = true;
      this.onOpenChange(false);
      this.onDone(result);
    } catch (error) {
      const box = this.section.querySelector("#handoff-error");
      box.textContent = error.message && error.status ? error.message : this.i18n.t("error_network");
      box.hidden = false;
      box.focus();
    } finally {
      button.disabled = false;
      button.textContent = this.i18n.t("submit_request");
    }
  }
}
