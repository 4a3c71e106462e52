// Company settings: name and branding candidates see, and the decision email templates.
import { useState } from "preact/hooks";
import { CompanyExport } from "./export.js";
import { authed } from "./session.js";
import { ErrorBox, Field, html, Loading, useAction, useLoad } from "./ui.js";

export function SettingsPage({ me, isAdmin }) {
  if (!isAdmin) return html`<main class="page"><h1>Settings</h1><p class="notice">Only a company admin can change settings.</p></main>`;
  return html`<main class="page" id="settings-page">
    <h1>Settings</h1>
    <${Branding} company=${me.company} />
    <${Templates} />
    <${CompanyExport} />
  </main>`;
}

function Branding({ company }) {
  const [form, setForm] = useState({
    name: company.name || "",
    brand_color: company.brand_color || "#1a56db",
    logo_url: company.logo_url || "",
  });
  const [saved, setSaved] = useState("");
  const save = useAction(async () => {
    setSaved("");
    const body = { name: form.name, brand_color: form.brand_color };
    if (form.logo_url.trim()) body.logo_url = form.logo_url.trim();
    const updated = await authed("/company", { method: "PATCH", body });
    window.dispatchEvent(new CustomEvent("oneway:me", { detail: { company: { ...company, ...updated } } }));
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
        <${Field} id="company-logo" label="Logo URL (https)" type="url" value=${form.logo_url} onInput=${set("logo_url")}
          placeholder="https://example.com/logo.png" hint="Shown at the top of the candidate pages." />
      </div>
      <div class="brand-preview" style=${{ borderTopColor: form.brand_color }} aria-label="Preview">
        ${/^https:\/\//.test(form.logo_url) && html`<img src=${form.logo_url} alt="" />`}
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
      ${" "}<code>{{ candidate_name }}</code>, <code>{{ company_name }}</code> and <code>{{ title }}</code> are filled in.</p>
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
