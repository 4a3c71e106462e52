// Candidate emails: the company's own wording of each email, per language, previewed before saving.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "/shared/api.js";
import { LANGUAGES } from "/shared/i18n.js";
import { authed } from "./session.js";
import { describe, ErrorBox, html, Loading, useAction, useLoad } from "./ui.js";

const KINDS = [
  ["invitation", "Invitation", "Sent with the candidate's personal link."],
  ["reminder", "Reminder", "Sent before the deadline to candidates who have not finished."],
  ["advanced", "Advanced", "Sent when you advance a candidate and choose to email them."],
  ["rejected", "Rejected", "Sent when you reject a candidate and choose to email them."],
];
const VARIABLE_HINTS = {
  candidate_name: "the candidate's name",
  company_name: "your company's name",
  interview_title: "the interview's title",
  deadline: "the deadline, in the interview's time zone",
  time_left: "the time left, e.g. 4 hours",
  link: "the candidate's personal link (required)",
};

export function EmailsPage({ isAdmin }) {
  if (!isAdmin) {
    return html`<main class="page"><h1>Candidate emails</h1><p class="notice">Only a company admin can word the emails.</p></main>`;
  }
  const state = useLoad(() => authed("/company/emails"), []);
  return html`<main class="page" id="emails-page">
    <h1>Candidate emails</h1>
    <p class="meta">Word the emails candidates receive, in each language they may read. A language you leave alone
      uses our wording. Preview an email before you save it.</p>
    <${Loading} state=${state}>${() => html`<${EmailEditor} catalogue=${state.data} onSaved=${state.reload} />`}<//>
  </main>`;
}

/** The field-level message for `field` in an API error, if any. */
function fieldError(error, field) {
  if (!(error instanceof ApiError)) return "";
  const found = (error.details || []).find((d) => d.field === field);
  return found ? found.message : "";
}

function EmailEditor({ catalogue, onSaved }) {
  const [kind, setKind] = useState("invitation");
  const [lang, setLang] = useState("en");
  const current = catalogue.emails[kind].languages[lang];
  const [form, setForm] = useState({ subject: current.subject, body: current.body });
  const [preview, setPreview] = useState(null);
  const [fieldErrors, setFieldErrors] = useState({});
  const [saved, setSaved] = useState("");
  const previewRef = useRef(null);

  // Another email or language: its words, and no stale preview.
  useEffect(() => {
    const words = catalogue.emails[kind].languages[lang];
    setForm({ subject: words.subject, body: words.body });
    setPreview(null);
    setFieldErrors({});
  }, [kind, lang, catalogue]);

  const refused = (error) =>
    setFieldErrors({ subject: fieldError(error, "subject"), body: fieldError(error, "body") });
  const path = `/company/emails/${encodeURIComponent(kind)}/${encodeURIComponent(lang)}`;
  const show = useAction(async () => {
    setSaved("");
    try {
      const shown = await authed(`${path}/preview`, { method: "POST", body: form });
      setPreview({ ...shown, of: JSON.stringify(form) });
      setFieldErrors({});
      requestAnimationFrame(() => previewRef.current && previewRef.current.focus());
    } catch (error) {
      refused(error);
      throw error;
    }
  });
  const save = useAction(async () => {
    try {
      await authed(path, { method: "PUT", body: form });
    } catch (error) {
      refused(error);
      throw error;
    }
    setSaved("Saved: candidates get this wording from now on.");
    onSaved();
  });
  const reset = useAction(async () => {
    await authed(path, { method: "DELETE" });
    setSaved("Back to our wording.");
    onSaved();
  });
  const set = (key) => (event) => {
    setForm({ ...form, [key]: event.currentTarget.value });
    setFieldErrors({ ...fieldErrors, [key]: "" });
    setSaved("");
  };
  const previewed = preview && preview.of === JSON.stringify(form);
  const error = show.error || save.error || reset.error;
  // A refusal that names the subject or the message is shown beside that field.
  const onField = error instanceof ApiError && (error.details || []).some((d) => d.field === "subject" || d.field === "body");
  const [, , about] = KINDS.find(([k]) => k === kind);
  const variables = catalogue.emails[kind].variables;
  const dir = lang === "ar" ? "rtl" : "ltr";

  return html`<div class="emails-grid">
    <form class="card" id="email-form" novalidate onSubmit=${(e) => (e.preventDefault(), show.run())}>
      <div class="row tight">
        <div class="field">
          <label for="email-kind">Email</label>
          <select id="email-kind" value=${kind} onChange=${(e) => setKind(e.currentTarget.value)}>
            ${KINDS.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="email-language">Language</label>
          <select id="email-language" value=${lang} onChange=${(e) => setLang(e.currentTarget.value)}>
            ${catalogue.languages.map(
              (code) =>
                html`<option value=${code}>${LANGUAGES[code] || code}${catalogue.emails[kind].languages[code].custom ? " · yours" : ""}</option>`,
            )}
          </select>
        </div>
      </div>
      <p class="meta">${about} <span id="email-wording-kind">${current.custom ? "You have worded it." : "Our wording."}</span></p>
      <div class="field">
        <label for="email-subject">Subject</label>
        <input id="email-subject" dir=${dir} value=${form.subject} onInput=${set("subject")}
          aria-invalid=${fieldErrors.subject ? "true" : undefined} aria-describedby=${fieldErrors.subject ? "email-subject-error" : undefined} />
        ${fieldErrors.subject && html`<p class="field-error" id="email-subject-error">${fieldErrors.subject}</p>`}
      </div>
      <div class="field">
        <label for="email-body">Message</label>
        <textarea id="email-body" dir=${dir} rows="12" value=${form.body} onInput=${set("body")}
          aria-invalid=${fieldErrors.body ? "true" : undefined} aria-describedby=${fieldErrors.body ? "email-body-error email-variables" : "email-variables"}></textarea>
        ${fieldErrors.body && html`<p class="field-error" id="email-body-error">${fieldErrors.body}</p>`}
      </div>
      <div class="hint meta" id="email-variables">
        <p>Filled in for each candidate:</p>
        <ul class="plain">
          ${variables.map((name) => html`<li><code>{{ ${name} }}</code> ${VARIABLE_HINTS[name] || ""}</li>`)}
        </ul>
        ${catalogue.emails[kind].link_required &&
        html`<p>A paragraph that is only <code>{{ link }}</code> becomes the big button.</p>`}
      </div>
      ${onField ? html`<p class="error" role="alert" data-error>${describe(error)}</p>` : html`<${ErrorBox} error=${error} />`}
      ${saved && html`<p class="ok" role="status" id="email-saved">${saved}</p>`}
      <div class="actions">
        <button type="submit" id="email-preview-button" class=${previewed ? "secondary" : ""} disabled=${show.busy}>Preview</button>
        <button type="button" id="email-save" class=${previewed ? "" : "secondary"} disabled=${!previewed || save.busy}
          onClick=${() => save.run()}>Save</button>
        ${current.custom &&
        html`<button type="button" id="email-reset" class="secondary" disabled=${reset.busy} onClick=${() => reset.run()}>Use our wording</button>`}
      </div>
      ${!previewed && html`<p class="meta" id="email-save-hint">Preview this wording to save it.</p>`}
    </form>
    <section class="card email-preview" id="email-preview" aria-label="Preview" tabindex="-1" ref=${previewRef}>
      <h2>Preview</h2>
      ${preview
        ? html`<${EmailShown} message=${preview} />
            ${!previewed && html`<p class="notice">You changed the wording since this preview.</p>`}`
        : html`<p class="meta">Preview shows the email filled in for a sample candidate, Sam Candidate.</p>`}
    </section>
  </div>`;
}

/** An email as it goes out: to, subject, and the HTML in a frame that runs nothing. */
export function EmailShown({ message }) {
  return html`<div class="email-shown">
    <dl class="email-head">
      <div><dt>To</dt><dd data-field="email-to">${message.to}</dd></div>
      <div><dt>Subject</dt><dd data-field="email-subject" dir="auto">${message.subject}</dd></div>
    </dl>
    <iframe class="email-frame" title=${`Email: ${message.subject}`} sandbox="" srcdoc=${message.html}></iframe>
  </div>`;
}
