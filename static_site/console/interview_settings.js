// One interview's follow-up settings (`#/interviews/<id>/settings`, admins): when reminder
// emails go out before the deadline, and the booking link an advanced candidate is offered.
import { useState } from "preact/hooks";
import { InterviewTabs } from "./interviews.js";
import { authed } from "./session.js";
import { ErrorBox, html, Loading, useAction, useLoad } from "./ui.js";

const MAX_REMINDERS = 5;

function hoursText(hours) {
  if (hours % 24 === 0) return `${hours / 24} day${hours === 24 ? "" : "s"}`;
  return `${hours} hour${hours === 1 ? "" : "s"}`;
}

function FollowUpForm({ interviewId, initial }) {
  const [hours, setHours] = useState(initial.reminder_hours.map(String));
  const [booking, setBooking] = useState(initial.booking_url || "");
  const [saved, setSaved] = useState("");
  const save = useAction(async () => {
    setSaved("");
    const body = {
      reminder_hours: hours.filter((h) => h.trim() !== "").map(Number),
      booking_url: booking.trim() || null,
    };
    const result = await authed(`/interviews/${encodeURIComponent(interviewId)}/follow-up`, { method: "PUT", body });
    setHours(result.reminder_hours.map(String));
    setBooking(result.booking_url || "");
    const when = result.reminder_hours.length ? result.reminder_hours.map(hoursText).join(", ") + " before the deadline" : "no reminders";
    setSaved(`Saved: ${when}${result.booking_url ? ", with a booking link" : ""}.`);
  });
  const setAt = (i) => (e) => {
    const next = [...hours];
    next[i] = e.currentTarget.value;
    setHours(next);
    setSaved("");
  };
  return html`<form class="card" id="follow-up-form" novalidate onSubmit=${(e) => (e.preventDefault(), save.run())}>
    <p class="meta">These apply to invitations sent from now on; candidates already invited keep what they were sent with.</p>
    <fieldset>
      <legend>Reminder emails</legend>
      <p class="meta" id="reminders-hint">A candidate who has not finished is reminded this many hours before their deadline (1 to 720 hours, up to ${MAX_REMINDERS} reminders).</p>
      ${hours.length === 0 && html`<p class="meta" id="no-reminders">No reminders are sent.</p>`}
      <ul class="plain" id="reminder-list">
        ${hours.map(
          (value, i) => html`<li class="row tight">
            <label for=${`reminder-${i}`}>Reminder ${i + 1}, hours before the deadline</label>
            <input id=${`reminder-${i}`} type="number" min="1" max="720" step="1" value=${value} onInput=${setAt(i)} aria-describedby="reminders-hint" />
            <button type="button" class="secondary small" aria-label=${`Remove reminder ${i + 1}`} onClick=${() => setHours(hours.filter((_, j) => j !== i))}>Remove</button>
          </li>`,
        )}
      </ul>
      <button type="button" class="secondary small" id="add-reminder" disabled=${hours.length >= MAX_REMINDERS} onClick=${() => setHours([...hours, "24"])}>Add a reminder</button>
    </fieldset>
    <fieldset>
      <legend>Booking link</legend>
      <label for="booking-url">Link to book a live conversation (https)</label>
      <input id="booking-url" type="url" value=${booking} placeholder="https://calendly.com/your-team/30min" aria-describedby="booking-hint"
        onInput=${(e) => (setBooking(e.currentTarget.value), setSaved(""))} />
      <p class="hint meta" id="booking-hint">Shown to a candidate on their done page once you move them to advanced, and added to the "advanced" email. Leave empty for none.</p>
    </fieldset>
    <${ErrorBox} error=${save.error} />
    ${saved && html`<p class="ok" role="status" id="follow-up-saved">${saved}</p>`}
    <button type="submit" id="follow-up-save" disabled=${save.busy}>Save settings</button>
  </form>`;
}

export function InterviewSettingsPage({ isAdmin, interviewId }) {
  const interview = useLoad(() => authed(`/interviews/${encodeURIComponent(interviewId)}`), [interviewId]);
  return html`<main class="page" id="interview-settings-page">
    <${InterviewTabs} interviewId=${interviewId} current="settings" isAdmin=${isAdmin} title=${interview.data && interview.data.title} />
    <h2>Reminders and booking link</h2>
    ${isAdmin
      ? html`<${Loading} state=${interview}>${() => html`<${FollowUpForm} interviewId=${interviewId} initial=${interview.data} />`}<//>`
      : html`<p class="notice">Only a company admin can change these settings.</p>`}
  </main>`;
}
