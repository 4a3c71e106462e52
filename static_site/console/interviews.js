// The interviews list: each with its counts and the ways into it.
import { useState } from "preact/hooks";
import { authed } from "./session.js";
import { Badge, ErrorBox, formatDate, html, link, Loading, navigate, useAction, useLoad } from "./ui.js";

const COUNTS = ["invited", "opened", "started", "completed", "expired"];

export function InterviewsPage({ isAdmin }) {
  const [archived, setArchived] = useState(false);
  const state = useLoad(() => authed(`/interviews${archived ? "?archived=true" : ""}`), [archived]);
  const duplicate = useAction(async (id) => {
    const copy = await authed(`/interviews/${encodeURIComponent(id)}/duplicate`, { method: "POST" });
    navigate(link("interviews", copy.interview_id, "edit"));
  });
  return html`<main class="page wide" id="interviews-page">
    <div class="page-head">
      <h1>Interviews</h1>
      <div class="actions">
        <label class="inline">
          <input type="checkbox" checked=${archived} onChange=${(e) => setArchived(e.currentTarget.checked)} />
          Show archived
        </label>
        ${isAdmin && html`<a class="button" href="#/interviews/new" id="new-interview">New interview</a>`}
      </div>
    </div>
    <${ErrorBox} error=${duplicate.error} />
    <${Loading} state=${state}>
      ${() =>
        state.data.interviews.length === 0
          ? html`<div class="card empty">
              <p>No interviews yet.</p>
              ${isAdmin && html`<p><a href="#/interviews/new">Create your first interview</a>: questions, a rubric and a deadline.</p>`}
            </div>`
          : html`<ul class="interview-list">
              ${state.data.interviews.map(
                (interview) => html`<li class="card interview-card" data-interview=${interview.interview_id}>
                  <div class="interview-title">
                    <h2><a href=${link("interviews", interview.interview_id)}>${interview.title}</a></h2>
                    ${interview.status !== "active" && html`<${Badge} value=${interview.status} />`}
                  </div>
                  <p class="meta">
                    ${`${interview.questions.length} question${interview.questions.length === 1 ? "" : "s"} · ${interview.deadline_days} days to complete · updated ${formatDate(interview.updated_at)}`}
                  </p>
                  <dl class="counts">
                    ${COUNTS.map(
                      (name) => html`<div><dt>${name}</dt><dd>${(interview.counts && interview.counts[name]) ?? 0}</dd></div>`,
                    )}
                  </dl>
                  <div class="actions">
                    <a class="button" href=${link("interviews", interview.interview_id)}>Candidates</a>
                    ${isAdmin && html`<a class="button secondary" href=${link("interviews", interview.interview_id, "invite")}>Invite</a>`}
                    <a class="button secondary" href=${link("interviews", interview.interview_id, "analytics")}>Analytics</a>
                    ${isAdmin && html`<a class="button secondary" href=${link("interviews", interview.interview_id, "edit")}>Edit</a>`}
                    ${isAdmin &&
                    html`<button type="button" class="secondary" disabled=${duplicate.busy}
                      onClick=${() => duplicate.run(interview.interview_id)}>Duplicate</button>`}
                  </div>
                </li>`,
              )}
            </ul>`}
    <//>
  </main>`;
}

/** The strip of links at the top of every interview page. */
export function InterviewTabs({ interviewId, current, isAdmin, title }) {
  const tab = (name, label, href) =>
    html`<a href=${href} aria-current=${current === name ? "page" : undefined}>${label}</a>`;
  return html`<div class="interview-head">
    <p class="crumbs"><a href="#/interviews">Interviews</a> ›</p>
    <h1 id="interview-title">${title || "Interview"}</h1>
    <nav class="tabs" aria-label="Interview">
      ${tab("pipeline", "Candidates", link("interviews", interviewId))}
      ${isAdmin && tab("invite", "Invite", link("interviews", interviewId, "invite"))}
      ${tab("analytics", "Analytics", link("interviews", interviewId, "analytics"))}
      ${tab("edit", isAdmin ? "Edit" : "Questions", link("interviews", interviewId, "edit"))}
      ${isAdmin && tab("settings", "Reminders", link("interviews", interviewId, "settings"))}
    </nav>
  </div>`;
}
