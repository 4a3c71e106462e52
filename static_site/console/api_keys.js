// API keys: admins create a key for an integration (shown once, with a copy button), see who
// made each one and when it was last used, and revoke one. The API stores only a hash.
import { useRef, useState } from "preact/hooks";
import { authed } from "./session.js";
import { ErrorBox, Field, formatDate, formValues, html, Loading, useAction, useLoad } from "./ui.js";

const SCOPES = {
  read: "Read-only",
  "read-write": "Read and write",
};

export function ApiKeysPage({ isAdmin }) {
  const state = useLoad(() => (isAdmin ? authed("/api-keys") : Promise.resolve(null)), [isAdmin]);
  const [created, setCreated] = useState(null);
  const [flash, setFlash] = useState("");
  const create = useAction(async (form) => {
    const made = await authed("/api-keys", { method: "POST", body: formValues(form) });
    form.reset();
    setFlash("");
    setCreated(made);
    state.reload();
  });
  const revoke = useAction(async (key) => {
    const sure = window.confirm(
      `Revoke the API key "${key.name}" (${key.prefix}…)? Every integration using it is refused from its next call. This cannot be undone.`,
    );
    if (!sure) return;
    await authed(`/api-keys/${encodeURIComponent(key.key_id)}`, { method: "DELETE" });
    if (created && created.key_id === key.key_id) setCreated(null);
    setFlash(`The key "${key.name}" was revoked.`);
    state.reload();
  });
  if (!isAdmin) {
    return html`<main class="page"><h1>API keys</h1><p class="notice">Only a company admin can manage API keys.</p></main>`;
  }
  return html`<main class="page" id="api-keys-page">
    <h1>API keys</h1>
    <p>
      An API key lets another system, such as your applicant tracking system or a script, call the Oneway API for
      this company. Send it as <code>Authorization: Bearer ow_live_…</code>. A read-only key can only read; a
      read-and-write key can also create interviews, invite candidates and make the other changes an admin can,
      except managing the team, API keys, share links and exports. Every change made with a key is in the audit
      log under its name.
    </p>
    ${created && html`<${NewKey} made=${created} onDone=${() => setCreated(null)} />`}
    ${flash && html`<p class="ok" role="status" id="api-keys-flash">${flash}</p>`}
    <${ErrorBox} error=${revoke.error} />
    <section class="card" aria-labelledby="api-keys-list-title">
      <h2 id="api-keys-list-title">Keys</h2>
      <${Loading} state=${state}>${() => html`<${KeyTable} keys=${state.data.api_keys} revoke=${revoke} />`}<//>
      <p class="meta">"Last used" is noted at most once an hour per key, with an entry in the audit log.</p>
    </section>
    <form class="card" id="api-key-create" novalidate onSubmit=${(e) => (e.preventDefault(), create.run(e.currentTarget))}>
      <h2>Create a key</h2>
      <div class="row tight">
        <${Field} id="api-key-name" label="Name" name="name" required maxlength="80" autocomplete="off"
          placeholder="Greenhouse sync" hint="Says what uses the key; shown in the audit log." />
        <${Field} id="api-key-scope" label="Access" hint="Read-only reads interviews, candidates and reviews; read and write also makes changes.">
          <select id="api-key-scope" name="scope">
            <option value="read">${SCOPES.read}</option>
            <option value="read-write">${SCOPES["read-write"]}</option>
          </select>
        <//>
      </div>
      <${ErrorBox} error=${create.error} />
      <button type="submit" disabled=${create.busy}>Create key</button>
    </form>
  </main>`;
}

function NewKey({ made, onDone }) {
  const input = useRef(null);
  const [copied, setCopied] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(made.key);
      setCopied("Copied to the clipboard.");
    } catch {
      // Without clipboard permission: select it, so Ctrl+C (or the browser's copy) takes it.
      input.current.select();
      setCopied(document.execCommand("copy") ? "Copied to the clipboard." : "Selected: press Ctrl+C (⌘C) to copy it.");
    }
  };
  return html`<section class="card notice" id="api-key-created" aria-labelledby="api-key-created-title">
    <h2 id="api-key-created-title">Copy the key "${made.name}" now</h2>
    <p><strong>This is the only time the key is shown.</strong> Store it where your integration keeps its secrets.
      Oneway keeps only a fingerprint of it: if it is lost, revoke it and create another.</p>
    <label for="api-key-value">Your new key (${SCOPES[made.scope].toLowerCase()})</label>
    <div class="copy-row">
      <input id="api-key-value" ref=${input} readonly value=${made.key} spellcheck="false" autocomplete="off"
        onFocus=${(e) => e.currentTarget.select()} />
      <button type="button" class="small" id="api-key-copy" onClick=${copy}>Copy</button>
    </div>
    <p class="ok" role="status" id="api-key-copied">${copied}</p>
    <div class="actions">
      <button type="button" class="secondary small" id="api-key-done" onClick=${onDone}>I have stored it</button>
    </div>
  </section>`;
}

function KeyTable({ keys, revoke }) {
  if (keys.length === 0) return html`<p class="empty" id="api-keys-empty">No API keys yet.</p>`;
  return html`<div class="table-wrap"><table class="table" id="api-keys-table">
    <caption class="visually-hidden">API keys, newest first</caption>
    <thead><tr>
      <th scope="col">Name</th><th scope="col">Access</th><th scope="col">Key</th><th scope="col">Created</th>
      <th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th>
    </tr></thead>
    <tbody>
      ${keys.map(
        (key) => html`<tr data-key=${key.key_id}>
          <td>${key.name}</td>
          <td>${SCOPES[key.scope] || key.scope}</td>
          <td><code>${key.prefix}…</code></td>
          <td>${formatDate(key.created_at)}<br /><span class="meta">by ${key.created_by.name}</span></td>
          <td data-field="last-used">${key.last_used_at ? formatDate(key.last_used_at, true) : html`<span class="meta">Never</span>`}</td>
          <td data-field="status">${key.revoked_at ? `Revoked ${formatDate(key.revoked_at, true)}` : "Active"}</td>
          <td>${!key.revoked_at &&
            html`<button type="button" class="secondary small danger" disabled=${revoke.busy}
              aria-label=${`Revoke ${key.name}`} onClick=${() => revoke.run(key)}>Revoke</button>`}</td>
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}
