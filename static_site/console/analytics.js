// One interview's numbers: the funnel, where candidates stop, scores and feedback.
import { Bars } from "./charts.js";
import { InterviewTabs } from "./interviews.js";
import { authed } from "./session.js";
import { formatScore, html, Loading, useLoad } from "./ui.js";

function minutes(value) {
  if (value < 1) return "under 1 min";
  return value < 10 ? `${value.toFixed(1)} min` : `${Math.round(value)} min`;
}

function percent(part, whole) {
  return whole ? `${Math.round((part / whole) * 100)}%` : "";
}

export function AnalyticsPage({ isAdmin, interviewId }) {
  const id = encodeURIComponent(interviewId);
  const interview = useLoad(() => authed(`/interviews/${id}`), [interviewId]);
  const state = useLoad(() => authed(`/interviews/${id}/analytics`), [interviewId]);
  return html`<main class="page" id="analytics-page">
    <${InterviewTabs} interviewId=${interviewId} current="analytics" isAdmin=${isAdmin} title=${interview.data && interview.data.title} />
    <${Loading} state=${state}>${() => html`<${Analytics} data=${state.data} />`}<//>
  </main>`;
}

function Analytics({ data }) {
  const funnel = data.funnel || {};
  const invited = funnel.invited || 0;
  const steps = ["invited", "opened", "started", "completed"].map((name) => ({
    label: name[0].toUpperCase() + name.slice(1),
    value: funnel[name] || 0,
    note: name === "invited" ? "" : percent(funnel[name] || 0, invited),
  }));
  const started = funnel.started || 0;
  const drop = (data.drop_off || []).map((q) => ({
    label: `Q${q.position}`,
    title: q.text,
    value: q.answered,
    note: percent(q.answered, started),
  }));
  const agreement = data.reviewer_agreement || {};
  const feedback = data.feedback || {};
  return html`
    <dl class="stats">
      <div><dt>Completion rate</dt><dd id="stat-completion">${data.completion_rate === null || data.completion_rate === undefined ? "—" : `${Math.round(data.completion_rate * 100)}%`}</dd></div>
      <div><dt>Median time to complete</dt><dd>${data.median_minutes_to_complete === null || data.median_minutes_to_complete === undefined ? "—" : minutes(data.median_minutes_to_complete)}</dd></div>
      <div><dt>Reviewer spread${data.scores_from === "reviewed_by_me" ? " (candidates you reviewed)" : ""}</dt><dd>${agreement.candidates ? formatScore(agreement.average_spread) : "—"}<span class="meta"> ${agreement.candidates ? `over ${agreement.candidates} candidates` : ""}</span></dd></div>
      <div><dt>Candidate rating</dt><dd>${feedback.count ? `${formatScore(feedback.average)} / 5` : "—"}<span class="meta"> ${feedback.count ? `${feedback.count} ratings` : ""}</span></dd></div>
    </dl>
    <div class="row">
      <section class="card"><h2>Funnel</h2><${Bars} id="funnel-chart" rows=${steps} caption="Candidates at each step, as a share of those invited" /></section>
      <section class="card"><h2>Drop-off by question</h2>
        ${drop.length ? html`<${Bars} id="dropoff-chart" rows=${drop} max=${Math.max(started, 1)} caption="Candidates who answered each question, as a share of those who started" />` : html`<p class="meta">No answers yet.</p>`}
        <ol class="meta legend">${(data.drop_off || []).map((q) => html`<li value=${q.position}>${q.text}</li>`)}</ol>
      </section>
    </div>
    <section class="card"><h2>Average score per criterion</h2>
      ${data.scores_from === "reviewed_by_me" &&
      html`<p class="meta" id="scores-scope">Scores of the candidates you have reviewed: the others' stay hidden until you review them.</p>`}
      ${(data.criteria || []).length
        ? html`<${Bars} id="criteria-chart" max=${5} format=${(v) => formatScore(v)} rows=${data.criteria.map((c) => ({ label: c.name, value: c.average }))} />`
        : html`<p class="meta">No scores yet.</p>`}
    </section>`;
}
