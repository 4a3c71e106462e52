// Company settings: name and branding candidates see, and the decision email templates.
// Reviewers read them as text; admins change them (the logo is uploaded, never hot-linked).
import { useState } from "preact/hooks";
import { ApiError } from "/shared/api.js";
import { CompanyExport } from "./export.js";
import { FieldError } from "./form_errors.js";
import { authed } from "./session.js";
import { describe, ErrorBox, Field, html, Loading, useAction, useLoad } from "./ui.js";

export function SettingsPage({ me, isAdmin }) {
  if (!isAdmin) return html`<${ReadOnlySettings} company=${me.company} />`;
  return html`<main class="page" id="settings-page">
    <h1>Settings</h1>
    <${Branding} company=${me.company} />
    <${Templates} />
    <${CompanyExport} />
    <section class="card" id="compliance-links"><h2>Data and integrations</h2><ul class="plain"><li><a href="#/settings/retention" id="retention-link">Retention</a>: how long closed candidates are kept</li><li><a href="#/audit">Audit log</a></li><li><a href="#/webhooks">Webhooks</a></li></ul></section>
  </main>`;
}

/** What a reviewer sees: the company's branding and decision emails, as text. */
function ReadOnlySettings({ company }) {
  const templates = useLoad(() => authed("/company/templates"), []);
  return html`<main class="page" id="settings-page">
    <h1>Settings</h1>
    <p class="notice" id="readonly-note">You can read these settings. Only a company admin can change them.</p>
    <section class="card" id="branding-readonly">
      <h2>Company and branding</h2>
      <dl class="facts">
        <div><dt>Company name</dt><dd>${company.name}</dd></div>
        <div><dt>Brand colour</dt><dd><span class="swatch" style=${{ background: company.brand_color || "#1a56db" }} aria-hidden="true"></span> ${company.brand_color || "#1a56db"}</dd></div>
        <div><dt>Logo</dt><dd>${company.logo_url ? html`<img class="logo-preview" src=${company.logo_url} alt=${`${company.name} logo`} />` : "None"}</dd></div>
      </dl>
    </section>
    <section class="card">
      <h2>Decision emails</h2>
      <${Loading} state=${templates}>
        ${() =>
          ["advanced", "rejected"].map(
            (kind) => html`<div class="template-readonly">
              <h3>${kind === "advanced" ? "Advanced" : "Rejected"}</h3>
              <p><strong>${templates.data[kind].subject}</strong></p>
              <p class="prose">${templates.data[kind].body}</p>
            </div>`,
          )}
      <//>
    </section>
  </main>`;
}

// What S3 takes for a logo (the API's policy says the same): SVG is refused, it can carry scripts.
const LOGO_TYPES = { "image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP" };
const MAX_LOGO_BYTES = 512 * 1024;

/** Why this file cannot be the logo, in plain words, or null. */
function logoProblem(file) {
  if (file.type === "image/svg+xml") return "SVG logos are not accepted: an SVG file can carry scripts. Choose a PNG, JPEG or WebP image.";
  if (!LOGO_TYPES[file.type]) return "Choose a PNG, JPEG or WebP image for the logo.";
  if (file.size > MAX_LOGO_BYTES) return `This image is ${Math.ceil(file.size / 1024)} KB; a logo may be at most 512 KB. Choose a smaller image.`;
  return null;
}

/** Upload, check and show a logo: presigned POST straight to the bucket, then the API checks it. */
function Logo({ company, onChange }) {
  const [problem, setProblem] = useState("");
  const [status, setStatus] = useState("");
  const upload = useAction(async (file) => {
    const grant = await authed("/company/logo/upload", { method: "POST", body: { content_type: file.type, size_bytes: file.size } });
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
    form.append("file", file);
    const sent = await fetch(grant.url, { method: "POST", body: form });
    if (!sent.ok) throw new Error("The logo could not be uploaded. Check the file and try again.");
    onChange(await authed("/company/logo", { method: "POST", body: { logo_id: grant.logo_id } }));
    setStatus("Logo saved. Candidates invited from now on see it.");
  });
  const remove = useAction(async () => {
    onChange(await authed("/company/logo", { method: "DELETE" }));
    setStatus("Logo removed.");
  });
  const choose = (event) => {
    const input = event.currentTarget;
    const file = input.files && input.files[0];
    input.value = "";
    setStatus("");
    if (!file) return;
    const found = logoProblem(file);
    setProblem(found || "");
    if (!found) upload.run(file);
  };
  const error = problem || (upload.error && (upload.error instanceof ApiError ? describe(upload.error) : upload.error.message)) || "";
  return html`<div class="field logo-field">
    <label for="company-logo-file">Logo (PNG, JPEG or WebP, up to 512 KB)</label>
    ${company.logo_url && html`<img class="logo-preview" id="company-logo-current" src=${company.logo_url} alt=${`Current logo of ${company.name}`} />`}
    <input type="file" id="company-logo-file" accept="image/png,image/jpeg,image/webp" disabled=${upload.busy}
      onChange=${choose} aria-invalid=${error ? "true" : undefined} aria-describedby=${error ? "company-logo-file-error" : "company-logo-hint"} />
    <p class="hint meta" id="company-logo-hint">Shown at the top of the candidate pages and in this console.</p>
    <${FieldError} id="company-logo-file" message=${error} />
    <p class="meta" role="status" id="company-logo-status">${upload.busy ? "Uploading the logo…" : status}</p>
    ${company.logo_url && html`<button type="button" class="secondary small danger" id="company-logo-remove" disabled=${remove.busy} onClick=${() => remove.run()}>Remove logo</button>`}
    <${ErrorBox} error=${remove.error} />
  </div>`;
}

function Branding({ company: initial }) {
  const [company, setCompany] = useState(initial);
  const [form, setForm] = useState({
    name: initial.name || "",
    brand_color: initial.brand_color || "#1a56db",
  });
  const [saved, setSaved] = useState("");
  const publish = (updated) => {
    const next = { ...company, ...updated };
    setCompany(next);
    window.dispatchEvent(new CustomEvent("oneway:me", { detail: { company: next } }));
  };
  const save = useAction(async () => {
    setSaved("");
    const body = { name: form.name, brand_color: form.brand_color };
    publish(await authed("/company", { method: "PATCH", body }));
    setSaved("Saved.");
  });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  return html`<form class="card" id="branding-form" novalidate onSubmit=${(e) => (e.preventDefault(), save.run())}>
    <h2>Company and branding</h2>
    <div class="row">
      <div>
        <${Field} id="company-name" label="Company name" value=${form.name} onInput=${set("name")} required />
        <${Field} id="company-color" label="Brand colour">
          <div class="color-row">
            <input id="company-color" type="color" value=${form.brand_color} onInput=${set("brand_color")} />
            <input aria-label="Brand colour as hex" value=${form.brand_color} onInput=${set("brand_color")} pattern="#[0-9a-fA-F]{6}" />
          </div>
        <//>
        <${Logo} company=${company} onChange=${publish} />
      </div>
      <div class="brand-preview" style=${{ borderTopColor: form.brand_color }} aria-label="Preview">
        ${company.logo_url && html`<img src=${company.logo_url} alt="" />`}
        <strong>${form.name || "Company name"}</strong>
        <p class="meta">What candidates see at the top of their interview.</p>
        <span class="button" style=${{ background: form.brand_color }}>Start the interview</span>
      </div>
    </div>
    <${ErrorBox} error=${save.error} />
    ${saved && html`<p class="ok" role="status" id="branding-saved">${saved}</p>`}
    <button type="submit" disabled=${save.busy}>Save branding</button>
  </form>`;
}

function Templates() {
  const state = useLoad(() => authed("/company/templates"), []);
  return html`<section class="card" id="templates">
    <h2>Decision emails</h2>
    <p class="meta">Sent when you move a candidate to advanced or rejected and choose to email them.
      ${" "}<code>{{ candidate_name }}</code>, <code>{{ company_name }}</code> and <code>{{ title }}</code> are filled in.
      These are the English emails: word them in every candidate language, with a preview, on the <a href="#/emails">Emails</a> page.</p>
    <${Loading} state=${state}>${() => html`<${TemplateForm} initial=${state.data} />`}<//>
  </section>`;
}

function TemplateForm({ initial }) {
  const [form, setForm] = useState(initial);
  const [saved, setSaved] = useState("");
  const save = useAction(async () => {
    setSaved("");
    setForm(await authed("/company/templates", { method: "PUT", body: form }));
    setSaved("Templates saved.");
  });
  const set = (kind, key) => (e) => setForm({ ...form, [kind]: { ...form[kind], [key]: e.currentTarget.value } });
  return html`<form id="templates-form" novalidate onSubmit=${(e) => (e.preventDefault(), save.run())}>
    ${["advanced", "rejected"].map(
      (kind) => html`<fieldset class="template">
        <legend>${kind === "advanced" ? "Advanced" : "Rejected"}</legend>
        <${Field} id=${`template-${kind}-subject`} label="Subject" value=${form[kind].subject} onInput=${set(kind, "subject")} />
        <${Field} id=${`template-${kind}-body`} label="Message">
          <textarea id=${`template-${kind}-body`} rows="6" value=${form[kind].body} onInput=${set(kind, "body")}></textarea>
        <//>
      </fieldset>`,
    )}
    <${ErrorBox} error=${save.error} />
    ${saved && html`<p class="ok" role="status" id="templates-saved">${saved}</p>`}
    <button type="submit" disabled=${save.busy}>Save templates</button>
  </form>`;
}
