// The company export: a job writes the file; the download link is fetched fresh each time
// (it lasts minutes), so the link mailed to the admin leads here, not to the file itself.
import { useState } from "preact/hooks";
import { useJob } from "./jobs.js";
import { authed } from "./session.js";
import { ErrorBox, html, useAction } from "./ui.js";

/** `#/settings/export/<job id>`: the page the export email links to. */
function jobFromRoute() {
  const match = window.location.hash.match(/^#\/settings\/export\/([A-Za-z0-9]+)$/);
  return match ? match[1] : null;
}

export function CompanyExport() {
  const [jobId, setJobId] = useState(jobFromRoute);
  const start = useAction(async () => {
    const job = await authed("/company/export", { method: "POST" });
    setJobId(job.job_id);
  });
  return html`<section class="card" id="company-export">
    <h2>Export company data</h2>
    <p class="meta">Every interview, candidate, answer, review and comment as one JSON file. It is prepared in the background; you also get an email when it is ready. The file is kept for 7 days.</p>
    <${ErrorBox} error=${start.error} />
    <button type="button" id="export-start" disabled=${start.busy} onClick=${() => start.run()}>Prepare an export</button>
    ${jobId && html`<${ExportJob} jobId=${jobId} key=${jobId} />`}
  </section>`;
}

const STEPS = [
  ["queued", "Queued"],
  ["running", "Writing the file"],
  ["done", "Ready, and emailed to you"],
];

/** Where the job is: its three steps, the current one marked for screen readers too. */
function Progress({ status }) {
  const at = STEPS.findIndex(([name]) => name === status);
  return html`<ol class="steps" id="export-steps" aria-label="Export progress">
    ${STEPS.map(
      ([name, label], i) => html`<li class=${i < at ? "step-done" : i === at ? "step-current" : ""} aria-current=${i === at ? "step" : undefined}>
        ${label}${i < at ? html`<span class="visually-hidden"> (done)</span>` : ""}
      </li>`,
    )}
  </ol>`;
}

function ExportJob({ jobId }) {
  const { job, error } = useJob(jobId);
  const fresh = useAction(async () => {
    // A fresh link every time: each lasts a few minutes, and each is audited.
    const again = await authed(`/jobs/${encodeURIComponent(jobId)}`);
    if (again.download_url) window.location.assign(again.download_url);
  });
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!job) return html`<p class="meta" aria-live="polite">Loading…</p>`;
  if (job.status === "failed") return html`<p class="error" role="alert" id="export-failed">The export failed: ${job.error || "an error on the server"}</p>`;
  if (job.status !== "done") {
    return html`<div id="export-waiting" aria-live="polite">
      <${Progress} status=${job.status} />
      <p class="meta">Preparing the export, asked for ${new Date(job.created_at).toLocaleTimeString()}. You may leave this page: the email links back here.</p>
    </div>`;
  }
  const size = job.size_bytes >= 1048576 ? `${(job.size_bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(job.size_bytes / 1024))} KB`;
  const minutes = Math.round((job.download_expires_in_seconds || 300) / 60);
  return html`<div id="export-ready" aria-live="polite">
    <${Progress} status="done" />
    <p class="ok" role="status">The export of ${new Date(job.finished_at).toLocaleString()} is ready (${size}).</p>
    ${job.download_url && html`<p class="meta">Download link: <a href=${job.download_url} id="export-download-link" class="mono">${job.download_url.split("?")[0].split("/").pop()}</a> (works for ${minutes} minutes; the button below always gets a fresh one).</p>`}
    <${ErrorBox} error=${fresh.error} />
    <button type="button" id="export-download" disabled=${fresh.busy} onClick=${() => fresh.run()}>Download the export</button>
  </div>`;
}
