// The pipeline: one interview's candidates, newest first, filtered and paged by the API.
import { useEffect, useState } from "preact/hooks";
import { formatDeadline } from "./deadlines.js";
import { InterviewTabs } from "./interviews.js";
import { authed } from "./session.js";
import { Badge, ErrorBox, formatDate, formatScore, html, link, useAction, useLoad } from "./ui.js";

export const STATUSES = ["invited", "opened", "started", "completed", "expired", "revoked"];
export const STAGES = ["new", "shortlisted", "advanced", "rejected"];

export function displayName(row) {
  return row.candidate_name || row.candidate_label || "Candidate";
}

// Colleagues' scores stay hidden from a reviewer until their own review of the candidate is in.
const SCORE_HIDDEN = "Hidden until you submit your review";

export function PipelinePage({ isAdmin, interviewId }) {
  const interview = useLoad(() => authed(`/interviews/${encodeURIComponent(interviewId)}`), [interviewId]);
  const [filters, setFilters] = useState({ status: "", stage: "", min_score: "" });
  const [rows, setRows] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [state, setState] = useState({ loading: true, error: null });
  const [flash, setFlash] = useState("");

  const query = (after) => {
    const params = new URLSearchParams({ limit: "50" });
    for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
    if (after) params.set("cursor", after);
    return `/interviews/${encodeURIComponent(interviewId)}/pipeline?${params}`;
  };
  const load = async (after) => {
    setState({ loading: true, error: null });
    try {
      const page = await authed(query(after));
      setRows((old) => (after ? [...old, ...page.candidates] : page.candidates));
      setCursor(page.next_cursor || null);
      setState({ loading: false, error: null });
    } catch (error) {
      setState({ loading: false, error });
    }
  };
  useEffect(() => {
    load(null);
  }, [interviewId, filters.status, filters.stage, filters.min_score]);

  const act = useAction(async (row, verb) => {
    const id = encodeURIComponent(row.invitation_id);
    if (verb === "revoke" && !window.confirm(`Revoke ${displayName(row)}'s link? They will no longer be able to answer.`)) return;
    const options = { method: "POST", ...(verb === "extend" ? { body: { days: 7 } } : {}) };
    await authed(`/invitations/${id}/${verb}`, options);
    setFlash(
      { resend: `${displayName(row)}'s link was emailed again; earlier emails still work.`, extend: `${displayName(row)} has 7 more days.`, revoke: `${displayName(row)}'s link no longer works.` }[verb],
    );
    load(null);
  });

  const filter = (name, label, options) => html`<div class="field">
    <label for=${`filter-${name}`}>${label}</label>
    <select id=${`filter-${name}`} value=${filters[name]} onChange=${(e) => setFilters({ ...filters, [name]: e.currentTarget.value })}>
      <option value="">Any</option>
      ${options.map(([value, text]) => html`<option value=${value}>${text}</option>`)}
    </select>
  </div>`;

  return html`<main class="page wide" id="pipeline-page">
    <${InterviewTabs} interviewId=${interviewId} current="pipeline" isAdmin=${isAdmin} title=${interview.data && interview.data.title} />
    <div class="filters">
      ${filter("status", "Status", STATUSES.map((s) => [s, s]))}
      ${filter("stage", "Stage", STAGES.map((s) => [s, s]))}
      ${filter("min_score", isAdmin ? "Average score" : "Average score (candidates you reviewed)", [["3", "3 or more"], ["4", "4 or more"], ["4.5", "4.5 or more"]])}
    </div>
    ${interview.data && interview.data.blind_review && (!isAdmin || interview.data.hide_names_from_admins) &&
    html`<p class="meta" id="blind-note">Blind review: names and emails are hidden, and the candidates are listed in an order of your own.</p>`}
    ${flash && html`<p class="ok" role="status">${flash}</p>`}
    <${ErrorBox} error=${state.error || act.error} />
    <div class="table-wrap">
      <table class="table pipeline" id="pipeline">
        <caption class="visually-hidden">Candidates</caption>
        <thead>
          <tr>
            <th scope="col">Candidate</th><th scope="col">Status</th><th scope="col">Stage</th>
            <th scope="col">Score</th><th scope="col">Reviews</th><th scope="col">Deadline</th>
            <th scope="col">Completed</th>${isAdmin && html`<th scope="col"><span class="visually-hidden">Actions</span></th>`}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) => html`<tr data-invitation=${row.invitation_id}>
              <td>
                <a class="candidate-link" href=${link("candidates", row.invitation_id)}>${displayName(row)}</a>
                ${row.candidate_email && html`<div class="meta">${row.candidate_email}</div>`}
                ${row.tags && row.tags.length > 0 && html`<div>${row.tags.map((t) => html`<span class="tag">${t}</span>`)}</div>`}
              </td>
              <td data-label="Status">
                <${Badge} value=${row.status} />
                ${row.asked_to_record_again &&
                html`<div class="meta" data-field="asked-again" title="An answer could not be processed after the candidate submitted; they were emailed to record it again">Asked to record again</div>`}
                ${row.accommodation && row.accommodation.status === "pending" && html`<div><span class="badge status-opened as-written" data-field="accommodation" title="The candidate asked for an adjustment: open them to grant or decline">Adjustment requested</span></div>`}
              </td>
              <td data-label="Stage"><${Badge} value=${row.stage} kind="stage" /></td>
              <td data-label="Score" title=${row.reviews === null ? SCORE_HIDDEN : undefined}>${formatScore(row.average_score)}</td>
              <td data-label="Reviews" title=${row.reviews === null ? SCORE_HIDDEN : undefined}>${row.reviews === null ? "—" : row.reviews ?? 0}${row.my_review ? html` <span class="meta" title="You reviewed">(you)</span>` : ""}</td>
              <td data-label="Deadline">${formatDeadline(row.deadline, row.time_zone)}</td>
              <td data-label="Completed">${formatDate(row.completed_at)}</td>
              ${isAdmin &&
              html`<td class="row-actions">
                ${!["completed", "revoked"].includes(row.status) &&
                html`<button type="button" class="secondary small" disabled=${act.busy} onClick=${() => act.run(row, "resend")}>Resend</button>
                  <button type="button" class="secondary small" disabled=${act.busy} onClick=${() => act.run(row, "extend")}>+7 days</button>
                  <button type="button" class="secondary small danger" disabled=${act.busy} onClick=${() => act.run(row, "revoke")}>Revoke</button>`}
              </td>`}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${!state.loading && rows.length === 0 && !state.error &&
    html`<p class="card empty">No candidates match.${isAdmin ? html` <a href=${link("interviews", interviewId, "invite")}>Invite some</a>.` : ""}</p>`}
    ${state.loading && html`<p class="meta" aria-live="polite">Loading…</p>`}
    ${cursor && !state.loading && html`<button type="button" class="secondary" onClick=${() => load(cursor)}>Load more</button>`}
  </main>`;
}
