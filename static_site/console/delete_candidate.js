// "Delete candidate" on the review page (admins): deleting every recording, answer, review
// and personal detail of one candidate now, once the admin has typed their name (or
// "delete" when the name is hidden by blind review).
import { useState } from "preact/hooks";
import { authed } from "./session.js";
import { ErrorBox, html, link, navigate, useAction } from "./ui.js";

function normal(text) {
  return String(text || "").trim().replace(/\s+/g, " ").toLowerCase();
}

export function DeleteCandidate({ invitation, interview, path, isAdmin }) {
  const [typed, setTyped] = useState("");
  const [open, setOpen] = useState(false);
  const name = invitation.candidate_name || "";
  const expected = name ? [normal(name), "delete"] : ["delete"];
  const matches = expected.includes(normal(typed));
  const remove = useAction(async () => {
    if (!matches) return;
    await authed(path, { method: "DELETE" });
    navigate(link("interviews", interview.interview_id));
  });
  if (!isAdmin) return null;
  return html`<section class="card danger-zone" id="delete-candidate" aria-labelledby="delete-candidate-heading">
    <h2 id="delete-candidate-heading">Delete candidate</h2>
    <p class="meta">Deletes their recordings, answers, reviews, comments, share links and personal details now. This cannot be undone; the audit log keeps only that it happened.</p>
    ${!open
      ? html`<button type="button" class="secondary danger" id="delete-candidate-open" onClick=${() => setOpen(true)}>Delete this candidate…</button>`
      : html`<form id="delete-candidate-form" novalidate onSubmit=${(e) => (e.preventDefault(), remove.run())}>
          <label for="delete-candidate-confirm">${name ? html`Type <strong>${name}</strong> or <strong>delete</strong> to confirm` : html`Type <strong>delete</strong> to confirm`}</label>
          <input id="delete-candidate-confirm" autocomplete="off" value=${typed} onInput=${(e) => setTyped(e.currentTarget.value)} aria-describedby="delete-candidate-state" />
          <p class="meta" id="delete-candidate-state" aria-live="polite">${matches ? "Confirmed: the button now deletes them." : "The button stays off until the text matches."}</p>
          <${ErrorBox} error=${remove.error} />
          <div class="row tight">
            <button type="submit" class="danger" id="delete-candidate-submit" disabled=${!matches || remove.busy}>Delete permanently</button>
            <button type="button" class="secondary" onClick=${() => (setOpen(false), setTyped(""))}>Cancel</button>
          </div>
        </form>`}
  </section>`;
}
