// What the company used, month by month, and what AWS charges for it: the bill follows this.
import { Columns } from "./charts.js";
import { authed } from "./session.js";
import { html, Loading, useLoad } from "./ui.js";

const one = (v) => (Math.round((Number(v) || 0) * 10) / 10).toString();

/** Dollars as a bill shows them: "$0.42"; under a cent, enough digits to see it. */
export function dollars(value) {
  const usd = Number(value) || 0;
  if (usd === 0) return "$0.00";
  if (usd < 0.0001) return "< $0.0001";
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/** Bytes in GB as stored now: "1.2 GB"; small amounts in MB so a deletion shows. */
export function storedSize(bytes) {
  const value = Number(bytes) || 0;
  if (value >= 1024 ** 3 / 10) return `${(value / 1024 ** 3).toFixed(1)} GB`;
  return `${(value / 1024 ** 2).toFixed(1)} MB`;
}

const COMPONENTS = [
  ["processing", "Processing (media worker)"],
  ["api", "API requests"],
  ["database", "Database"],
  ["storage", "Storage"],
  ["playback", "Playback (data out)"],
  ["queue", "Queue"],
  ["email", "Email"],
];

const EMPTY = { completed_interviews: 0, recorded_minutes: 0, stored_gb: 0, estimated_cost_usd: 0, cost_breakdown_usd: {} };

/** The last `count` months, oldest first, with months the API left out shown as zero. */
function lastMonths(reported, count) {
  const byMonth = new Map(reported.map((m) => [m.month, m]));
  const now = new Date();
  const months = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    const month = `${day.getUTCFullYear()}-${String(day.getUTCMonth() + 1).padStart(2, "0")}`;
    months.push(byMonth.get(month) || { ...EMPTY, month });
  }
  const older = reported.filter((m) => !months.some((x) => x.month === m.month));
  return [...older, ...months].sort((a, b) => a.month.localeCompare(b.month));
}

function PriceNote({ data }) {
  const sources = data.price_sources || [];
  return html`<p class="meta" id="usage-prices">
    Estimated from AWS list prices for ${data.price_region} as of <time datetime=${data.price_list_date}>${data.price_list_date}</time>
    ${data.price_region_fallback ? html` (no price list for ${data.region}: ${data.price_region} prices shown)` : ""},
    without free tiers, with a ${data.worker_architecture} media worker. Sources:
    ${sources.map((url, i) => html`${i ? ", " : " "}<a href=${url} target="_blank" rel="noopener noreferrer">${new URL(url).pathname.split("/")[1]}</a>`)}.
  </p>`;
}

export function UsagePage() {
  const state = useLoad(() => authed("/company/usage?months=6"), []);
  return html`<main class="page" id="usage-page">
    <h1>Usage</h1>
    <p class="meta">Completed interviews, recorded minutes, stored media and what AWS charges for them each month. You pay AWS for these, not for seats.</p>
    <${Loading} state=${state}>
      ${() => {
        const data = state.data;
        const months = lastMonths(data.months || [], 6);
        const series = (key) => months.map((m) => ({ label: m.month, value: m[key] }));
        const latest = months[months.length - 1];
        return html`<dl class="stats" id="usage-summary">
            <div><dt>Estimated AWS cost, ${latest.month}</dt><dd id="usage-cost-now">${dollars(latest.estimated_cost_usd)}</dd></div>
            <div><dt>Stored now</dt><dd id="usage-stored-now">${storedSize(data.stored_now_bytes)}</dd></div>
          </dl>
          <div class="row">
            <section class="card"><h2>Estimated cost (USD)</h2><${Columns} id="usage-cost" points=${series("estimated_cost_usd")} format=${dollars} /></section>
            <section class="card"><h2>Completed interviews</h2><${Columns} id="usage-interviews" points=${series("completed_interviews")} /></section>
            <section class="card"><h2>Recorded minutes</h2><${Columns} id="usage-minutes" points=${series("recorded_minutes")} format=${one} /></section>
          </div>
          <section class="card">
            <h2 id="usage-table-heading">By month</h2>
            <div class="table-wrap"><table class="table" id="usage-table" aria-labelledby="usage-table-heading">
              <thead><tr>
                <th scope="col">Month</th><th scope="col">Completed interviews</th><th scope="col">Recorded minutes</th>
                <th scope="col">GB stored</th><th scope="col">GB deleted</th><th scope="col">Estimated cost</th>
              </tr></thead>
              <tbody>${months.map(
                (m) => html`<tr>
                  <th scope="row">${m.month}</th><td>${m.completed_interviews}</td><td>${one(m.recorded_minutes)}</td>
                  <td>${(Number(m.stored_gb) || 0).toFixed(2)}</td><td>${(Number(m.deleted_gb) || 0).toFixed(2)}</td>
                  <td class="usage-cost usd">${dollars(m.estimated_cost_usd)}</td>
                </tr>`,
              )}</tbody>
            </table></div>
          </section>
          <section class="card">
            <h2 id="usage-breakdown-heading">Where the dollars go</h2>
            <div class="table-wrap"><table class="table" id="usage-breakdown" aria-labelledby="usage-breakdown-heading">
              <thead><tr><th scope="col">Component</th>${months.map((m) => html`<th scope="col">${m.month}</th>`)}</tr></thead>
              <tbody>${COMPONENTS.map(
                ([key, label]) => html`<tr data-component=${key}>
                  <th scope="row">${label}</th>${months.map((m) => html`<td class="usd">${dollars((m.cost_breakdown_usd || {})[key])}</td>`)}
                </tr>`,
              )}
                <tr data-component="total"><th scope="row">Total</th>${months.map((m) => html`<td class="usd"><strong>${dollars(m.estimated_cost_usd)}</strong></td>`)}</tr>
              </tbody>
            </table></div>
            <${PriceNote} data=${data} />
            <p class="meta">Measured: the media worker's seconds, stored and deleted bytes, emails from reminders, digests and bulk invitations. Estimated per completed interview: API requests, database requests, other emails; playback assumes each answer is watched once.</p>
          </section>`;
      }}
    <//>
  </main>`;
}
