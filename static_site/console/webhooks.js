// Webhooks (`#/webhooks`, admins): endpoints that receive signed events, their signing
// secrets (shown once, at creation and at rotation), a test ping, and the delivery log.
import { useEffect, useState } from "preact/hooks";
import { authed } from "./session.js";
import { ErrorBox, Field, formatDate, html, Loading, useAction, useLoad } from "./ui.js";

const EVENTS = [
  ["invitation.created", "A candidate is invited"],
  ["invitation.opened", "A candidate opens their link"],
  ["interview.completed", "A candidate completes the interview"],
  ["candidate.stage_changed", "A candidate moves stage"],
  ["answer.failed", "An answer cannot be processed"],
  ["accommodation.requested", "A candidate asks for an adjustment"],
  ["accommodation.decided", "An adjustment is granted or declined"],
];

const STATUS_WORDS = { pending: "Queued", delivered: "Delivered", retrying: "Retrying", failed: "Failed" };

/** A checkbox per event; `chosen` is a Set, `onChange` gets the next Set. */
function EventChecks({ chosen, onChange, idPrefix }) {
  const toggle = (name) => (e) => {
    const next = new Set(chosen);
    if (e.currentTarget.checked) next.add(name);
    else next.delete(name);
    onChange(next);
  };
  return EVENTS.map(
    ([name, label]) => html`<label class="check"><input type="checkbox" id=${`${idPrefix}-${name}`} name="events" value=${name} checked=${chosen.has(name)} onChange=${toggle(name)} /> ${label} <code>${name}</code></label>`,
  );
}

/** The events one endpoint receives, chosen again; its URL and secret stay. */
function EventsEditor({ hook, onSaved, onCancel }) {
  const [chosen, setChosen] = useState(() => new Set(hook.events));
  const save = useAction(async () => {
    const saved = await authed(`/webhooks/${encodeURIComponent(hook.webhook_id)}`, { method: "PATCH", body: { events: [...chosen] } });
    onSaved(saved);
  });
  return html`<form class="card" id="webhook-events-form" aria-labelledby="webhook-events-heading" novalidate onSubmit=${(e) => (e.preventDefault(), save.run())}>
    <h2 id="webhook-events-heading">Events sent to ${hook.url}</h2>
    <fieldset>
      <legend>Events to send</legend>
      <${EventChecks} chosen=${chosen} onChange=${setChosen} idPrefix="webhook-edit" />
    </fieldset>
    ${chosen.size === 0 && html`<p class="meta" id="webhook-events-none">Choose at least one event, or delete the endpoint.</p>`}
    <${ErrorBox} error=${save.error} />
    <div class="actions">
      <button type="submit" id="webhook-events-save" disabled=${save.busy || chosen.size === 0}>Save events</button>
      <button type="button" class="secondary" id="webhook-events-cancel" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

/** A secret shown this once, with a copy button; it is gone once the admin leaves the page. */
function SecretOnce({ secret, url, onDone }) {
  const [copied, setCopied] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("Copied.");
    } catch {
      document.getElementById("webhook-secret").select();
      setCopied("Select and copy it with Ctrl+C or ⌘C.");
    }
  };
  return html`<section class="card secret-once" id="webhook-secret-once" role="region" aria-labelledby="secret-heading">
    <h2 id="secret-heading">Signing secret for ${url}</h2>
    <p class="notice"><strong>Copy it now: it is shown only this once.</strong> Your receiver checks each request's <code>X-Oneway-Signature</code> with it.</p>
    <label for="webhook-secret">Signing secret</label>
    <div class="row tight">
      <input id="webhook-secret" readonly value=${secret} class="mono" onFocus=${(e) => e.currentTarget.select()} />
      <button type="button" id="webhook-copy" onClick=${copy}>Copy</button>
    </div>
    <p class="ok" role="status">${copied}</p>
    <button type="button" class="secondary" id="webhook-secret-done" onClick=${onDone}>I have stored it</button>
  </section>`;
}

export function WebhooksPage({ isAdmin }) {
  const hooks = useLoad(() => (isAdmin ? authed("/webhooks") : Promise.resolve({ webhooks: [] })), []);
  const log = useLoad(() => (isAdmin ? authed("/webhooks/deliveries?limit=50") : Promise.resolve({ deliveries: [] })), []);
  const [shown, setShown] = useState(null); // {secret, url}: the one time a secret is visible
  const [flash, setFlash] = useState("");
  const [events, setEvents] = useState(new Set(["interview.completed"]));
  const [editing, setEditing] = useState(null); // the endpoint whose events are being chosen again
  const [older, setOlder] = useState({ rows: [], cursor: undefined });
  const more = useAction(async () => {
    const after = older.cursor === undefined ? log.data.next_cursor : older.cursor;
    const page = await authed(`/webhooks/deliveries?limit=50&cursor=${encodeURIComponent(after)}`);
    setOlder({ rows: [...older.rows, ...page.deliveries], cursor: page.next_cursor || null });
  });
  // While a delivery is still on its way, the log refreshes itself every few seconds.
  const waiting = Boolean(log.data && log.data.deliveries.some((d) => d.status === "pending" || d.status === "retrying"));
  useEffect(() => {
    if (!waiting) return undefined;
    const timer = setTimeout(() => log.reload(), 2000);
    return () => clearTimeout(timer);
  }, [waiting, log.data]);

  const create = useAction(async (form) => {
    const url = form.elements["webhook-url"].value.trim();
    const hook = await authed("/webhooks", { method: "POST", body: { url, events: [...events] } });
    form.reset();
    setShown({ secret: hook.secret, url: hook.url });
    setFlash("");
    hooks.reload();
  });
  const rotate = useAction(async (hook) => {
    if (!window.confirm(`Rotate the signing secret of ${hook.url}? The current secret stops working at once.`)) return;
    const rotated = await authed(`/webhooks/${encodeURIComponent(hook.webhook_id)}/rotate-secret`, { method: "POST" });
    setShown({ secret: rotated.secret, url: rotated.url });
  });
  const remove = useAction(async (hook) => {
    if (!window.confirm(`Delete the webhook ${hook.url}? It receives no more events.`)) return;
    await authed(`/webhooks/${encodeURIComponent(hook.webhook_id)}`, { method: "DELETE" });
    setFlash(`The webhook ${hook.url} was deleted.`);
    hooks.reload();
  });
  const test = useAction(async (hook) => {
    await authed(`/webhooks/${encodeURIComponent(hook.webhook_id)}/test`, { method: "POST" });
    setFlash(`A test event is on its way to ${hook.url}. Its outcome appears in the delivery log below.`);
    setOlder({ rows: [], cursor: undefined });
    log.reload();
  });

  if (!isAdmin) return html`<main class="page"><h1>Webhooks</h1><p class="notice">Only a company admin can manage webhooks.</p></main>`;
  const urlOf = (id) => ((hooks.data && hooks.data.webhooks.find((h) => h.webhook_id === id)) || {}).url || "a deleted webhook";
  return html`<main class="page wide" id="webhooks-page">
    <h1>Webhooks</h1>
    <p class="meta">Oneway POSTs a signed JSON event to your https endpoint when something happens. Failed deliveries are retried after 10 s, 1 min, 5 min and 15 min.</p>
    ${shown && html`<${SecretOnce} ...${shown} onDone=${() => setShown(null)} />`}
    ${flash && html`<p class="ok" role="status" id="webhooks-flash">${flash}</p>`}
    <${ErrorBox} error=${rotate.error || remove.error || test.error} />
    <section class="card" aria-labelledby="endpoints-heading">
      <h2 id="endpoints-heading">Endpoints</h2>
      <${Loading} state=${hooks}>
        ${() =>
          hooks.data.webhooks.length === 0
            ? html`<p class="meta" id="webhooks-empty">No webhooks yet.</p>`
            : html`<div class="table-wrap"><table class="table" id="webhooks-table">
                <caption class="visually-hidden">Webhook endpoints</caption>
                <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Added</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
                <tbody>
                  ${hooks.data.webhooks.map(
                    (hook) => html`<tr data-webhook=${hook.webhook_id}>
                      <td class="mono">${hook.url}</td>
                      <td>${hook.events.join(", ")}</td>
                      <td class="nowrap">${formatDate(hook.created_at)}</td>
                      <td class="row-actions">
                        <button type="button" class="secondary small" data-act="test" disabled=${test.busy} aria-label=${`Send test event to ${hook.url}`} onClick=${() => test.run(hook)}>Send test event</button>
                        <button type="button" class="secondary small" data-act="events" aria-label=${`Change events of ${hook.url}`} onClick=${() => (setFlash(""), setEditing(hook))}>Change events</button>
                        <button type="button" class="secondary small" data-act="rotate" disabled=${rotate.busy} aria-label=${`Rotate secret of ${hook.url}`} onClick=${() => rotate.run(hook)}>Rotate secret</button>
                        <button type="button" class="secondary small danger" data-act="delete" disabled=${remove.busy} aria-label=${`Delete ${hook.url}`} onClick=${() => remove.run(hook)}>Delete</button>
                      </td>
                    </tr>`,
                  )}
                </tbody>
              </table></div>`}
      <//>
    </section>
    ${editing && html`<${EventsEditor} key=${editing.webhook_id} hook=${editing} onCancel=${() => setEditing(null)}
      onSaved=${(saved) => (setEditing(null), setFlash(`${saved.url} now receives ${saved.events.join(", ")}.`), hooks.reload())} />`}
    <form class="card" id="webhook-form" novalidate onSubmit=${(e) => (e.preventDefault(), create.run(e.currentTarget))}>
      <h2>Add an endpoint</h2>
      <${Field} id="webhook-url" name="webhook-url" label="Endpoint URL (https)" type="url" required placeholder="https://example.com/oneway-events" />
      <fieldset>
        <legend>Events to send</legend>
        <${EventChecks} chosen=${events} onChange=${setEvents} idPrefix="webhook-add" />
      </fieldset>
      <${ErrorBox} error=${create.error} />
      <button type="submit" id="webhook-add" disabled=${create.busy || events.size === 0}>Add endpoint</button>
    </form>
    <section class="card" aria-labelledby="deliveries-heading">
      <div class="row tight spread">
        <h2 id="deliveries-heading">Delivery log</h2>
        <button type="button" class="secondary small" id="deliveries-refresh" onClick=${() => (setOlder({ rows: [], cursor: undefined }), log.reload())}>Refresh</button>
      </div>
      <${Loading} state=${log}>
        ${() =>
          log.data.deliveries.length === 0
            ? html`<p class="meta" id="deliveries-empty">Nothing sent yet.</p>`
            : html`<div class="table-wrap"><table class="table" id="deliveries-table">
                <caption class="visually-hidden">Webhook deliveries, newest first</caption>
                <thead><tr><th scope="col">Sent</th><th scope="col">Event</th><th scope="col">Endpoint</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last response</th></tr></thead>
                <tbody>
                  ${[...log.data.deliveries, ...older.rows].map(
                    (d) => html`<tr data-delivery=${d.delivery_id} data-status=${d.status}>
                      <td class="nowrap">${formatDate(d.created_at, true)}</td>
                      <td><code>${d.event}</code></td>
                      <td class="mono">${urlOf(d.webhook_id)}</td>
                      <td><span class=${`badge delivery-${d.status}`}>${STATUS_WORDS[d.status] || d.status}</span></td>
                      <td>${d.attempts}</td>
                      <td>${d.last_status_code ? `HTTP ${d.last_status_code}` : ""}${d.last_error && d.status !== "delivered" ? ` · ${d.last_error}` : ""}</td>
                    </tr>`,
                  )}
                </tbody>
              </table></div>`}
      <//>
      <${ErrorBox} error=${more.error} />
      ${log.data && (older.cursor === undefined ? log.data.next_cursor : older.cursor) &&
      html`<button type="button" class="secondary small" id="deliveries-more" disabled=${more.busy} onClick=${() => more.run()}>Show older deliveries</button>`}
    </section>
  </main>`;
}
