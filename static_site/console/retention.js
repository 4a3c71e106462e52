// Retention (`#/settings/retention`, admins): how long closed candidates are kept, with a
// preview of what a new period deletes at once and on which days, shown before saving.
import { useState } from "preact/hooks";
import { authed } from "./session.js";
import { ErrorBox, formatDate, html, useAction } from "./ui.js";

export function formatBytes(bytes) {
  if (!bytes) return "0 MB";
  if (bytes >= 1073741824) return `${(bytes / 1073741824).toFixed(1)} GB`;
  if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const SHOWN_DAYS = 12;

function Preview({ preview }) {
  const { due_now: now, schedule, total } = preview;
  const later = schedule.slice(0, SHOWN_DAYS);
  const rest = schedule.slice(SHOWN_DAYS);
  const restCount = rest.reduce((n, g) => n + g.candidates, 0);
  return html`<section id="retention-preview" aria-labelledby="preview-heading" aria-live="polite">
    <h3 id="preview-heading">What keeping candidates ${plural(preview.retention_days, "day", "days")} would delete</h3>
    <p id="retention-total">
      ${total.candidates === 0
        ? "No closed candidate would be deleted."
        : `${plural(total.candidates, "candidate", "candidates")} in all, with ${plural(total.answers, "answer", "answers")} (${formatBytes(total.bytes)} of recordings).`}
      ${preview.open_candidates > 0 && ` ${plural(preview.open_candidates, "candidate is", "candidates are")} still open and not counted: their time starts when they close.`}
    </p>
    ${now.candidates > 0 &&
    html`<p class="notice" id="retention-due-now"><strong>${plural(now.candidates, "candidate", "candidates")} (${plural(now.answers, "answer", "answers")}, ${formatBytes(now.bytes)}) would be deleted within the hour</strong>, at the next clean-up.</p>`}
    ${later.length > 0 &&
    html`<div class="table-wrap"><table class="table" id="retention-schedule">
      <caption>Later deletions, by day</caption>
      <thead><tr><th scope="col">On</th><th scope="col">Candidates</th><th scope="col">Answers</th><th scope="col">Recordings</th></tr></thead>
      <tbody>
        ${later.map((g) => html`<tr><td>${formatDate(`${g.date}T12:00:00Z`)}</td><td>${g.candidates}</td><td>${g.answers}</td><td>${formatBytes(g.bytes)}</td></tr>`)}
      </tbody>
    </table></div>`}
    ${rest.length > 0 && html`<p class="meta">…and ${plural(restCount, "more candidate", "more candidates")} on ${plural(rest.length, "later day", "later days")}.</p>`}
    ${preview.truncated && html`<p class="meta">Only the first 2,000 closed candidates were counted.</p>`}
  </section>`;
}

export function RetentionPage({ me, isAdmin }) {
  const current = Number(me.company.retention_days || 180);
  const [days, setDays] = useState(String(current));
  const [saved, setSaved] = useState(current);
  const [preview, setPreview] = useState(null);
  const [flash, setFlash] = useState("");
  const look = useAction(async () => {
    setFlash("");
    setPreview(await authed(`/company/retention/preview?days=${encodeURIComponent(days)}`));
  });
  const save = useAction(async () => {
    const body = await authed("/company/retention", { method: "PUT", body: { retention_days: Number(days) } });
    setSaved(body.retention_days);
    setPreview(null);
    setFlash(`Saved: closed candidates are now kept ${plural(body.retention_days, "day", "days")}.`);
    window.dispatchEvent(new CustomEvent("oneway:me", { detail: { company: { ...me.company, retention_days: body.retention_days } } }));
  });
  if (!isAdmin) return html`<main class="page"><h1>Retention</h1><p class="notice">Only a company admin can change retention.</p></main>`;
  const previewed = preview && String(preview.retention_days) === days;
  return html`<main class="page" id="retention-page">
    <p class="meta"><a href="#/settings">← Settings</a></p>
    <h1>Retention</h1>
    <form class="card" id="retention-form" novalidate onSubmit=${(e) => (e.preventDefault(), previewed ? save.run() : look.run())}>
      <p>A candidate's recordings, answers, reviews and personal details are deleted this many days after they completed, expired or were revoked, or after your decision on them, whichever is later. A candidate who asks to be deleted is deleted within the hour.</p>
      <p class="meta" id="retention-current">Now: ${plural(saved, "day", "days")}.</p>
      <div class="field">
        <label for="retention-days">Keep closed candidates for (days)</label>
        <input id="retention-days" type="number" min="1" max="3650" step="1" required value=${days}
          onInput=${(e) => (setDays(e.currentTarget.value), setFlash(""))} aria-describedby="retention-hint" />
        <p class="hint meta" id="retention-hint">From 1 to 3650 days. Preview the change before saving it.</p>
      </div>
      <${ErrorBox} error=${look.error || save.error} />
      ${previewed && html`<${Preview} preview=${preview} />`}
      ${flash && html`<p class="ok" role="status" id="retention-saved">${flash}</p>`}
      <div class="row tight">
        <button type="button" class=${previewed ? "secondary" : ""} id="retention-preview-button" disabled=${look.busy} onClick=${() => look.run()}>Preview</button>
        <button type="submit" id="retention-save" disabled=${!previewed || save.busy}>Save ${days} days</button>
      </div>
    </form>
  </main>`;
}
