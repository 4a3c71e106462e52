// The audit log (`#/audit`, admins): who did what to which candidate or interview, in words,
// filtered by person, action and dates (the API filters and pages), downloadable as CSV.
import { useEffect, useState } from "preact/hooks";
import { authed } from "./session.js";
import { ErrorBox, formatDate, html, useAction, useLoad } from "./ui.js";

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function defaultRange() {
  const until = new Date();
  const since = new Date(until.getTime() - 30 * 86400000);
  return { since: isoDay(since), until: isoDay(until), actor: "", action: "" };
}

/** The query string of the filters (the same for the page and the CSV). */
function filterQuery(filters) {
  const params = new URLSearchParams({ order: "newest" });
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  return params;
}

async function downloadCsv(params) {
  // The CSV is not JSON: fetched with the session's token, then saved through a Blob link.
  const get = () =>
    fetch(`/api/audit/export?${params}`, {
      headers: { Authorization: `Bearer ${window.sessionStorage.getItem("id_token")}` },
    });
  let response = await get();
  if (response.status === 401) {
    await authed("/me"); // renews an expired ID token (or signs out, saying why)
    response = await get();
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new Error((body && body.message) || `The download failed (${response.status}).`);
  }
  const name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
  const url = URL.createObjectURL(await response.blob());
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = name ? name[1] : "audit.csv";
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function AuditPage({ isAdmin }) {
  const [filters, setFilters] = useState(defaultRange);
  const [draft, setDraft] = useState(filters);
  const [rows, setRows] = useState([]);
  const [actions, setActions] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [state, setState] = useState({ loading: true, error: null });
  const team = useLoad(() => (isAdmin ? authed("/team") : Promise.resolve({ recruiters: [] })), []);

  const load = async (after) => {
    setState({ loading: true, error: null });
    try {
      const params = filterQuery(filters);
      params.set("limit", "50");
      if (after) params.set("cursor", after);
      const page = await authed(`/audit?${params}`);
      setRows((old) => (after ? [...old, ...page.events] : page.events));
      setActions(page.actions || []);
      setCursor(page.next_cursor || null);
      setState({ loading: false, error: null });
    } catch (error) {
      setState({ loading: false, error });
    }
  };
  useEffect(() => {
    if (isAdmin) load(null);
  }, [filters.since, filters.until, filters.actor, filters.action]);

  const csv = useAction(() => downloadCsv(filterQuery(filters)));

  if (!isAdmin) return html`<main class="page"><h1>Audit log</h1><p class="notice">Only a company admin can read the audit log.</p></main>`;
  const set = (key) => (e) => setDraft({ ...draft, [key]: e.currentTarget.value });
  const people = (team.data && team.data.recruiters) || [];
  return html`<main class="page wide" id="audit-page">
    <h1>Audit log</h1>
    <p class="meta">Everything your team did, and every time someone watched a candidate's answers. Times are in your time zone.</p>
    <form class="filters card" id="audit-filters" aria-label="Filter the audit log" onSubmit=${(e) => (e.preventDefault(), setFilters({ ...draft }))}>
      <div class="field">
        <label for="audit-actor">Person</label>
        <select id="audit-actor" value=${draft.actor} onChange=${set("actor")}>
          <option value="">Anyone</option>
          ${people.map((p) => html`<option value=${p.user_id}>${p.name}</option>`)}
          <option value="candidate">A candidate</option>
          <option value="system">Oneway (automatic)</option>
        </select>
      </div>
      <div class="field">
        <label for="audit-action">Action</label>
        <select id="audit-action" value=${draft.action} onChange=${set("action")}>
          <option value="">Any action</option>
          ${actions.map((a) => html`<option value=${a.action}>${a.label}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="audit-since">From</label>
        <input id="audit-since" type="date" value=${draft.since} onInput=${set("since")} required />
      </div>
      <div class="field">
        <label for="audit-until">To</label>
        <input id="audit-until" type="date" value=${draft.until} onInput=${set("until")} required />
      </div>
      <div class="field actions-field">
        <button type="submit" id="audit-apply">Apply filters</button>
        <button type="button" class="secondary" id="audit-csv" disabled=${csv.busy} onClick=${() => csv.run()}>Download CSV</button>
      </div>
    </form>
    <${ErrorBox} error=${state.error || csv.error} />
    <div class="table-wrap">
      <table class="table" id="audit-table">
        <caption class="visually-hidden">Audit log entries, newest first</caption>
        <thead><tr><th scope="col">When</th><th scope="col">What happened</th><th scope="col">Action</th></tr></thead>
        <tbody>
          ${rows.map(
            (event) => html`<tr data-action=${event.action}>
              <td class="nowrap">${formatDate(event.at, true)}</td>
              <td class="audit-summary">${event.summary || event.action}</td>
              <td class="meta"><code>${event.action}</code></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <p class="meta" aria-live="polite" id="audit-status">
      ${state.loading ? "Loading…" : rows.length === 0 ? "Nothing matches these filters." : `${rows.length} entr${rows.length === 1 ? "y" : "ies"} shown.`}
    </p>
    ${cursor && html`<button type="button" class="secondary" id="audit-more" disabled=${state.loading} onClick=${() => load(cursor)}>Show more</button>`}
  </main>`;
}
