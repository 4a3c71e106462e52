// What the company used, month by month: it is what the AWS bill follows.
import { Columns } from "./charts.js";
import { authed } from "./session.js";
import { html, Loading, useLoad } from "./ui.js";

const one = (v) => (Math.round((Number(v) || 0) * 10) / 10).toString();

/** The last `count` months, oldest first, with months the API left out shown as zero. */
function lastMonths(reported, count) {
  const byMonth = new Map(reported.map((m) => [m.month, m]));
  const now = new Date();
  const months = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    const month = `${day.getUTCFullYear()}-${String(day.getUTCMonth() + 1).padStart(2, "0")}`;
    months.push(byMonth.get(month) || { month, completed_interviews: 0, recorded_minutes: 0, stored_gb: 0 });
  }
  const older = reported.filter((m) => !months.some((x) => x.month === m.month));
  return [...older, ...months].sort((a, b) => a.month.localeCompare(b.month));
}

export function UsagePage() {
  const state = useLoad(() => authed("/company/usage?months=6"), []);
  return html`<main class="page" id="usage-page">
    <h1>Usage</h1>
    <p class="meta">Completed interviews, recorded minutes and stored media per month. You pay AWS for these, not for seats.</p>
    <${Loading} state=${state}>
      ${() => {
        const months = lastMonths(state.data.months || [], 6);
        const series = (key) => months.map((m) => ({ label: m.month, value: m[key] }));
        return html`<div class="row">
            <section class="card"><h2>Completed interviews</h2><${Columns} id="usage-interviews" points=${series("completed_interviews")} /></section>
            <section class="card"><h2>Recorded minutes</h2><${Columns} id="usage-minutes" points=${series("recorded_minutes")} format=${one} /></section>
          </div>
          <section class="card">
            <div class="table-wrap"><table class="table" id="usage-table">
              <thead><tr><th scope="col">Month</th><th scope="col">Completed interviews</th><th scope="col">Recorded minutes</th><th scope="col">Stored GB</th></tr></thead>
              <tbody>${months.map(
                (m) => html`<tr><td>${m.month}</td><td>${m.completed_interviews}</td><td>${one(m.recorded_minutes)}</td><td>${(Number(m.stored_gb) || 0).toFixed(2)}</td></tr>`,
              )}</tbody>
            </table></div>
          </section>`;
      }}
    <//>
  </main>`;
}
