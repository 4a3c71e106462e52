// Invite candidates one at a time or from CSV; the API's per-row report is shown as it is.
// A CSV runs as a job on the server: the page shows its progress, then each row's outcome.
// The deadline is a date (and time) on the interview's clock, its zone shown and choosable.
// Reviewers get the reason they cannot invite, not a form the server would refuse.
import { useEffect, useState } from "preact/hooks";
import { addDays, dateIn, DeadlineFields, deadlineBody } from "./deadlines.js";
import { InterviewTabs } from "./interviews.js";
import { useJob } from "./jobs.js";
import { authed } from "./session.js";
import { ErrorBox, Field, formValues, html, link, useAction, useLoad } from "./ui.js";

export function InvitePage({ isAdmin, interviewId }) {
  const interview = useLoad(() => authed(`/interviews/${encodeURIComponent(interviewId)}`), [interviewId]);
  const [report, setReport] = useState(null);
  const [jobId, setJobId] = useState(null);
  const [csv, setCsv] = useState("");
  const [deadline, setDeadline] = useState(null);
  const path = `/interviews/${encodeURIComponent(interviewId)}/invitations`;
  useEffect(() => {
    const loaded = interview.data;
    if (!loaded || deadline) return;
    const zone = loaded.time_zone || "UTC";
    setDeadline({ date: addDays(dateIn(zone), loaded.deadline_days || 7), time: "23:59", zone });
  }, [interview.data]);

  const single = useAction(async (form) => {
    const values = formValues(form);
    const candidate = { name: values.name, email: values.email };
    if (values.time_multiplier && Number(values.time_multiplier) !== 1) candidate.time_multiplier = Number(values.time_multiplier);
    const result = await authed(path, { method: "POST", body: { candidates: [candidate], ...deadlineBody(deadline) } });
    setJobId(null);
    setReport(result);
    if (result.summary.invited) form.reset();
  });
  const bulk = useAction(async () => {
    const job = await authed(`/interviews/${encodeURIComponent(interviewId)}/invitation-jobs`, { method: "POST", body: { csv, ...deadlineBody(deadline) } });
    setReport(null);
    setJobId(job.job_id);
  });
  const readFile = (event) => {
    const file = event.currentTarget.files[0];
    if (file) file.text().then(setCsv);
  };

  return html`<main class="page" id="invite-page">
    <${InterviewTabs} interviewId=${interviewId} current="invite" isAdmin=${isAdmin} title=${interview.data && interview.data.title} />
    ${!isAdmin
      ? html`<section class="card" id="invite-not-allowed">
          <h2>Inviting is for admins</h2>
          <p>You review candidates on this team. Inviting sends emails in the company's name and sets deadlines,
            so only a company admin can do it. Ask an admin to invite the people you have in mind.</p>
          <p><a href=${link("interviews", interviewId)}>See the candidates</a></p>
        </section>`
      : html`${deadline &&
        html`<section class="card" id="invite-deadline">
          <${DeadlineFields} idPrefix="invite" value=${deadline} onChange=${setDeadline}
            legend="Deadline for the invitations sent from this page" />
        </section>`}
    <div class="row">
      <form class="card" id="invite-one" novalidate onSubmit=${(e) => (e.preventDefault(), single.run(e.currentTarget))}>
        <h2>Invite one candidate</h2>
        <${Field} id="invite-name" label="Name" name="name" required autocomplete="off" />
        <${Field} id="invite-email" label="Email" name="email" type="email" required autocomplete="off" />
        <${Field} id="invite-multiplier" label="Extra time">
          <select id="invite-multiplier" name="time_multiplier">
            <option value="1">None</option>
            <option value="1.5">1.5× thinking and answer time</option>
            <option value="2">2×</option>
            <option value="3">3×</option>
          </select>
        <//>
        <${ErrorBox} error=${single.error} />
        <button type="submit" disabled=${single.busy || !deadline}>Send invitation</button>
      </form>
      <form class="card" id="invite-csv" novalidate onSubmit=${(e) => (e.preventDefault(), bulk.run())}>
        <h2>Invite from CSV</h2>
        <p class="meta">One candidate per line: <code>name,email</code>. A header row is optional.</p>
        <${Field} id="invite-csv-file" label="CSV file">
          <input id="invite-csv-file" type="file" accept=".csv,text/csv,text/plain" onChange=${readFile} />
        <//>
        <${Field} id="invite-csv-text" label="…or paste the rows">
          <textarea id="invite-csv-text" rows="6" value=${csv} onInput=${(e) => setCsv(e.currentTarget.value)}
            placeholder="Ada Lovelace,ada@example.com"></textarea>
        <//>
        <${ErrorBox} error=${bulk.error} />
        <button type="submit" disabled=${bulk.busy || !csv.trim() || !deadline}>Send invitations</button>
      </form>
    </div>`}
    ${report && html`<${Report} report=${report} interviewId=${interviewId} />`}
    ${jobId && html`<${JobProgress} jobId=${jobId} interviewId=${interviewId} key=${jobId} />`}
  </main>`;
}

function JobProgress({ jobId, interviewId }) {
  const { job, error } = useJob(jobId);
  if (error) return html`<section class="card" id="invite-job"><${ErrorBox} error=${error} /></section>`;
  if (job && job.status === "done") return html`<${Report} report=${job.report} interviewId=${interviewId} />`;
  const total = job ? job.total_rows : 0;
  const settled = job ? total - job.pending_rows : 0;
  return html`<section class="card" id="invite-job" aria-live="polite">
    <h2>Sending invitations</h2>
    ${job && job.status === "failed"
      ? html`<p class="error" role="alert">The invitations stopped: ${job.error || "an error on the server"}. Rows already sent are not sent again; try again to finish the rest.</p>`
      : html`<p><progress id="invite-progress" max=${total || 1} value=${settled}></progress>
          ${" "}<span data-count="settled">${settled}</span> of ${total} rows done. You may leave this page; the invitations go on.</p>`}
  </section>`;
}

function Report({ report, interviewId }) {
  const { summary } = report;
  return html`<section class="card" id="invite-report" aria-live="polite">
    <h2>Result</h2>
    <p>
      <strong data-count="invited">${summary.invited}</strong>${" invited · "}<strong data-count="duplicates">${summary.duplicates}</strong>${" already invited · "}<strong data-count="errors">${summary.errors}</strong>${" with errors"}
    </p>
    ${report.errors.length > 0 &&
    html`<h3>Rows not sent</h3>
      <table class="table" id="invite-errors">
        <thead><tr><th scope="col">Row</th><th scope="col">Problem</th></tr></thead>
        <tbody>${report.errors.map((e) => html`<tr><td>${e.row}</td><td>${e.reason}</td></tr>`)}</tbody>
      </table>`}
    ${report.duplicates.length > 0 &&
    html`<h3>Already invited</h3>
      <table class="table" id="invite-duplicates">
        <thead><tr><th scope="col">Row</th><th scope="col">Email</th><th scope="col">Why</th></tr></thead>
        <tbody>${report.duplicates.map((d) => html`<tr><td>${d.row}</td><td>${d.email}</td><td>${d.reason}</td></tr>`)}</tbody>
      </table>`}
    ${report.invited.length > 0 &&
    html`<h3>Invited</h3>
      <ul id="invite-sent">${report.invited.map((i) => html`<li>${i.row ? `Row ${i.row}: ` : ""}${i.email}</li>`)}</ul>`}
    <p><a href=${link("interviews", interviewId)}>See the candidates</a></p>
  </section>`;
}
