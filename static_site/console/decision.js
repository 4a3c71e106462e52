// Moving a candidate between stages; a decision email is shown exactly as it will go, then sent.
import { useRef, useState } from "preact/hooks";
import { EmailShown } from "./emails.js";
import { STAGES } from "./pipeline.js";
import { authed } from "./session.js";
import { ErrorBox, Field, html, useAction } from "./ui.js";

const EMAILED = ["advanced", "rejected"];

export function StageBox({ invitation, path, onChange }) {
  const [notify, setNotify] = useState(false);
  const [done, setDone] = useState("");
  const [tags, setTags] = useState((invitation.tags || []).join(", "));
  const [pending, setPending] = useState(null); // {stage, email} waiting for Send or Cancel
  const panel = useRef(null);
  const tagList = () => tags.split(",").map((t) => t.trim()).filter(Boolean);

  const move = useAction(async (stage, withEmail) => {
    const body = { stage, tags: tagList() };
    if (withEmail) body.notify = true;
    const updated = await authed(`${path}/stage`, { method: "POST", body });
    setPending(null);
    onChange(updated.invitation || updated);
    setDone(withEmail ? `Moved to ${stage}; the candidate was emailed.` : `Moved to ${stage}.`);
  });
  // With "email the candidate" ticked, a decision first shows the email it will send.
  const ask = useAction(async (stage) => {
    setDone("");
    if (!(notify && EMAILED.includes(stage))) return move.run(stage, false);
    const email = await authed(`${path}/decision-preview`, { method: "POST", body: { stage } });
    setPending({ stage, email });
    requestAnimationFrame(() => panel.current && panel.current.focus());
    return undefined;
  });
  const busy = move.busy || ask.busy;

  return html`<section class="card" id="stage-box">
    <h2>Stage</h2>
    <div class="stage-buttons" role="group" aria-label="Move to stage">
      ${STAGES.map(
        (stage) => html`<button type="button" class=${`stage-btn stage-${stage} ${invitation.stage === stage ? "" : "secondary"}`}
          aria-pressed=${invitation.stage === stage ? "true" : "false"} data-stage=${stage} disabled=${busy || pending}
          onClick=${() => ask.run(stage)}>${stage[0].toUpperCase() + stage.slice(1)}</button>`,
      )}
    </div>
    <${Field} id="stage-tags" label="Tags (comma-separated, saved with the stage)" value=${tags}
      onInput=${(e) => setTags(e.currentTarget.value)} />
    <label class="inline">
      <input type="checkbox" id="stage-notify" checked=${notify} onChange=${(e) => setNotify(e.currentTarget.checked)} />
      Email the candidate the decision (advanced or rejected)
    </label>
    ${pending &&
    html`<div class="decision-preview" id="decision-preview" role="region" aria-labelledby="decision-preview-title" tabindex="-1" ref=${panel}>
      <h3 id="decision-preview-title">The email ${pending.email.to} will receive</h3>
      <p class="meta">Moving to ${pending.stage} sends this email, in the candidate's language. Nothing is sent until you press Send.</p>
      <${EmailShown} message=${pending.email} />
      <div class="actions">
        <button type="button" id="decision-send" disabled=${move.busy} onClick=${() => move.run(pending.stage, true)}>Send and move to ${pending.stage}</button>
        <button type="button" id="decision-cancel" class="secondary" disabled=${move.busy} onClick=${() => setPending(null)}>Cancel</button>
      </div>
    </div>`}
    <${ErrorBox} error=${ask.error || move.error} />
    ${done && html`<p class="ok" role="status" id="stage-done">${done}</p>`}
  </section>`;
}
