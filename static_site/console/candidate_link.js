// The candidate's link on the review page: "Resend invitation" emails the same link again (every
// earlier email keeps working); "Send a new link", kept apart and confirmed first, replaces a
// forwarded or leaked link (every earlier one then says a newer link was emailed). Admins also
// move the deadline to a date here, on the interview's clock.
import { useState } from "preact/hooks";
import { addDays, dateIn, DeadlineFields, deadlineBody, formatDeadline, timeIn } from "./deadlines.js";
import { authed } from "./session.js";
import { ErrorBox, formatDate, html, useAction } from "./ui.js";

const CLOSED = ["completed", "revoked"];

export function CandidateLinkCard({ invitation, path, isAdmin, onChange }) {
  const [said, setSaid] = useState("");
  const [confirming, setConfirming] = useState(false);
  const zone = invitation.time_zone || "UTC";
  const [deadline, setDeadline] = useState(() => {
    const current = new Date(invitation.deadline);
    const later = current > new Date() ? current : new Date();
    return { date: addDays(dateIn(zone, later), 7), time: timeIn(zone, current), zone };
  });
  const who = invitation.candidate_email || "the candidate";

  const resend = useAction(async () => {
    const updated = await authed(`${path}/resend`, { method: "POST" });
    onChange(updated);
    setSaid(`The invitation was emailed again to ${who}, with the same link: the links in earlier emails still work.`);
  });
  const replace = useAction(async () => {
    const updated = await authed(`${path}/new-link`, { method: "POST" });
    onChange(updated);
    setConfirming(false);
    setSaid(`A new link was emailed to ${who}. Links in earlier emails no longer open the interview; they say a newer link was sent.`);
  });
  const extend = useAction(async () => {
    const updated = await authed(`${path}/extend`, { method: "POST", body: deadlineBody(deadline) });
    onChange(updated);
    setSaid(`The deadline is now ${formatDeadline(updated.deadline, updated.time_zone || zone)}.`);
  });

  if (!isAdmin) return null;
  const closed = CLOSED.includes(invitation.status);
  return html`<section class="card" id="candidate-link" aria-labelledby="candidate-link-title">
    <h2 id="candidate-link-title">Invitation link</h2>
    <p class="meta" data-field="deadline">Deadline: ${formatDeadline(invitation.deadline, zone)}</p>
    <p class="meta" data-field="last-emailed">
      ${invitation.email_sent_at ? `Last emailed ${formatDate(invitation.email_sent_at, true)}.` : "Not emailed yet."}
      ${invitation.links_replaced_at ? ` A new link was sent ${formatDate(invitation.links_replaced_at, true)}.` : ""}
    </p>
    ${said && html`<p class="ok" role="status" id="candidate-link-status">${said}</p>`}
    ${closed
      ? html`<p class="meta">${invitation.status === "completed" ? "The candidate has completed the interview: their link only shows what they sent." : "This invitation was revoked: its link no longer opens the interview."}</p>`
      : html`
        <div class="link-action" id="resend-invitation">
          <h3>Resend invitation</h3>
          <p class="meta">Emails the same link again, for a candidate who cannot find the email. Links in earlier emails keep working.</p>
          <${ErrorBox} error=${resend.error} />
          <button type="button" class="secondary" disabled=${resend.busy} onClick=${() => resend.run()}>Resend invitation</button>
        </div>
        <hr />
        <div class="link-action" id="send-new-link">
          <h3>Send a new link</h3>
          <p class="meta">For a link that was forwarded or may have leaked. The candidate gets a new link; earlier links stop working.</p>
          <${ErrorBox} error=${replace.error} />
          ${confirming
            ? html`<div class="confirm" role="group" aria-labelledby="new-link-question" id="new-link-confirm">
                <p id="new-link-question"><strong>Send a new link to ${who}?</strong></p>
                <p>The link in every earlier email — the invitation, each reminder and each resend — stops working at once.
                  Anyone opening one is told a newer link was emailed to the candidate's address. Answers already recorded are kept.</p>
                <button type="button" class="danger" disabled=${replace.busy} onClick=${() => replace.run()}>Send the new link</button>
                ${" "}<button type="button" class="secondary" disabled=${replace.busy} onClick=${() => setConfirming(false)}>Cancel</button>
              </div>`
            : html`<button type="button" class="secondary danger" onClick=${() => (setSaid(""), setConfirming(true))}>Send a new link…</button>`}
        </div>
        <hr />
        <form class="link-action" id="extend-deadline" novalidate onSubmit=${(e) => (e.preventDefault(), extend.run())}>
          <${DeadlineFields} idPrefix="extend" value=${deadline} onChange=${setDeadline} legend="Move the deadline" />
          <${ErrorBox} error=${extend.error} />
          <button type="submit" class="secondary" disabled=${extend.busy || !deadline.date}>Set deadline</button>
        </form>`}
  </section>`;
}
