// A candidate's accommodation request on the review page: what they asked for, and for admins
// Grant / Decline in one click (the candidate is emailed either way). Reviewers read it only.
import { useState } from "preact/hooks";
import { dateIn, DeadlineFields, deadlineBody, timeIn } from "./deadlines.js";
import { authed } from "./session.js";
import { Badge, ErrorBox, Field, formatDate, html, useAction } from "./ui.js";

export const KIND_LABELS = {
  more_time: "More time",
  audio_instead_of_video: "Audio instead of video",
  later_deadline: "A later deadline",
};

// What a grant does with the API's defaults, said before the click.
const GRANT_EFFECTS = {
  more_time: "more think and answer time (1.5× unless changed below)",
  audio_instead_of_video: "video questions answered by audio",
  later_deadline: "a later deadline (7 days unless changed below)",
};

const FACTORS = ["1.25", "1.5", "2", "3"];

// A week after the later of now and the current deadline, on the invitation's clock.
function weekLater(invitation) {
  const base = new Date(Math.max(Date.now(), new Date(invitation.deadline).getTime()) + 7 * 86400000);
  const zone = invitation.time_zone || "UTC";
  return { date: dateIn(zone, base), time: timeIn(zone, base), zone };
}

const same = (a, b) => a.date === b.date && a.time === b.time && a.zone === b.zone;

export function AccommodationCard({ invitation, path, isAdmin, onChange }) {
  const asked = invitation.accommodation;
  const [done, setDone] = useState("");
  const [factor, setFactor] = useState("1.5");
  const [initial] = useState(() => weekLater(invitation));
  const [until, setUntil] = useState(initial);
  const decide = useAction(async (verb) => {
    const kinds = asked.kinds || [];
    const body = {};
    if (kinds.includes("more_time") && factor !== "1.5") body.time_multiplier = Number(factor);
    if (kinds.includes("later_deadline") && until.date && !same(until, initial)) Object.assign(body, deadlineBody(until));
    const options = verb === "grant" ? { method: "POST", body } : { method: "POST" };
    const updated = await authed(`${path}/accommodation/${verb}`, options);
    onChange({ ...updated, accommodation: { ...asked, ...updated.accommodation, note: asked.note } });
    setDone(verb === "grant" ? "Granted: the candidate was emailed and sees the change when they next load the page." : "Declined: the candidate was emailed. Nothing else changed.");
  });
  if (!asked) return null;
  const kinds = asked.kinds || [];
  const pending = asked.status === "pending";
  return html`<section class="card" id="accommodation" aria-labelledby="accommodation-title">
    <h2 id="accommodation-title">Accommodation request <${Badge} value=${asked.status} kind="accommodation" /></h2>
    <p>Asked for: <span data-field="accommodation-kinds">${kinds.map((k) => KIND_LABELS[k] || k).join(" · ")}</span></p>
    ${asked.note && html`<blockquote class="meta" data-field="accommodation-note">${asked.note}</blockquote>`}
    <p class="meta">Requested ${formatDate(asked.requested_at, true)}${asked.decided_at ? ` · ${asked.status} ${formatDate(asked.decided_at, true)}` : ""}</p>
    ${pending && isAdmin &&
    html`<p class="meta">Granting gives ${kinds.map((k) => GRANT_EFFECTS[k]).filter(Boolean).join(", ")}. The candidate is emailed either way.</p>
      ${(kinds.includes("more_time") || kinds.includes("later_deadline")) &&
      html`<details class="accommodation-options">
        <summary>Change what a grant gives</summary>
        ${kinds.includes("more_time") &&
        html`<${Field} id="accommodation-factor" label="Think and answer time">
          <select id="accommodation-factor" value=${factor} onChange=${(e) => setFactor(e.currentTarget.value)}>
            ${FACTORS.map((f) => html`<option value=${f}>${f}×</option>`)}
          </select>
        <//>`}
        ${kinds.includes("later_deadline") &&
        html`<${DeadlineFields} idPrefix="accommodation" legend="New deadline" value=${until} onChange=${setUntil} />`}
      </details>`}
      <${ErrorBox} error=${decide.error} />
      <div class="actions">
        <button type="button" id="accommodation-grant" disabled=${decide.busy} onClick=${() => decide.run("grant")}>Grant</button>
        <button type="button" class="secondary" id="accommodation-decline" disabled=${decide.busy} onClick=${() => decide.run("decline")}>Decline</button>
      </div>`}
    ${pending && !isAdmin && html`<p class="meta">An admin grants or declines it.</p>`}
    ${done && html`<p class="ok" role="status" id="accommodation-done">${done}</p>`}
  </section>`;
}
