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

function ExportJob({ jobId }) {
  const { job, error } = useJob(jobId);
  const download = useAction(async () => {
    // A fresh link every time: each lasts a few minutes, and each is audited.
    const fresh = await authed(`/jobs/${encodeURIComponent(jobId)}`);
    if (fresh.download_url) window.location.assign(fresh.download_url);
  });
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!job) return html`<p class="meta" aria-live="polite">Loading…</p>`;
  if (job.status === "failed") return html`<p class="error" role="alert" id="export-failed">The export failed: ${job.error || "an error on the server"}</p>`;
  if (job.status !== "done") return html`<p class="meta" aria-live="polite" id="export-waiting">Preparing the export…</p>`;
  const size = job.size_bytes >= 1048576 ? `${(job.size_bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(job.size_bytes / 1024))} KB`;
  return html`<div id="export-ready" aria-live="polite">
    <p class="ok" role="status">The export of ${new Date(job.finished_at).toLocaleString()} is ready (${size}).</p>
    <${ErrorBox} error=${download.error} />
    <button type="button" id="export-download" disabled=${download.busy} onClick=${() => download.run()}>Download the export</button>
  </div>`;
}
