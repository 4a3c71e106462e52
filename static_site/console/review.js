// The review page: answers one question at a time, rubric scores, note, comments, stage, shares.
import { useEffect, useRef, useState } from "preact/hooks";
import { AnswerView, SPEEDS } from "/shared/answers.js";
import { AccommodationCard } from "./accommodation.js";
import { CandidateLinkCard } from "./candidate_link.js";
import { formatDeadline } from "./deadlines.js";
import { StageBox } from "./decision.js";
import { DeleteCandidate } from "./delete_candidate.js";
import { displayName } from "./pipeline.js";
import { authed } from "./session.js";
import { Badge, ErrorBox, Field, formatDate, formatScore, html, link, Loading, useAction, useLoad } from "./ui.js";

const RECOMMENDATIONS = [
  ["strong_yes", "Strong yes"],
  ["yes", "Yes"],
  ["no", "No"],
  ["strong_no", "Strong no"],
];

const SHORTCUTS = [
  ["j", "next question"],
  ["k", "previous question"],
  ["n / p", "next / previous rubric criterion"],
  ["1–5", "score the highlighted criterion"],
  ["space", "play or pause (when no button or field has focus)"],
  ["s", "change speed: 1× → 1.5× → 2×"],
  ["?", "show or hide these shortcuts"],
];

function typing(target) {
  return Boolean(target && target.closest && target.closest("input, textarea, select, [contenteditable]"));
}

export function ReviewPage({ me, isAdmin, invitationId }) {
  const path = `/invitations/${encodeURIComponent(invitationId)}`;
  const state = useLoad(() => authed(path), [invitationId]);
  return html`<main class="page wide" id="review-page">
    <${Loading} state=${state}>${() => html`<${Review} me=${me} isAdmin=${isAdmin} path=${path} detail=${state.data} setDetail=${state.setData} />`}<//>
  </main>`;
}

function Review({ me, isAdmin, path, detail, setDetail }) {
  const { invitation, interview, answers } = detail;
  const rubric = interview.rubric || [];
  const [current, setCurrent] = useState(0);
  const [criterion, setCriterion] = useState(0);
  const [speed, setSpeed] = useState(1);
  const [help, setHelp] = useState(false);
  const [scores, setScores] = useState(() => structuredClone((detail.my_review && detail.my_review.scores) || {}));
  const [recommendation, setRecommendation] = useState((detail.my_review && detail.my_review.recommendation) || "");
  const [note, setNote] = useState((detail.my_review && detail.my_review.note) || "");
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState("");
  const media = useRef(null);
  const answer = answers[current];

  const go = (index) => {
    if (index < 0 || index >= answers.length) return;
    setCurrent(index);
  };
  const score = (questionId, criterionId, value) => {
    setScores((old) => ({ ...old, [questionId]: { ...(old[questionId] || {}), [criterionId]: value } }));
    setDirty(true);
    setSaved("");
  };

  // Keep the answers fresh while any recording is still being prepared.
  const pending = answers.some((a) => ["uploading", "uploaded", "processing"].includes(a.status));
  useEffect(() => {
    if (!pending) return undefined;
    const timer = setTimeout(async () => {
      try {
        const fresh = await authed(path);
        setDetail({ ...detail, answers: fresh.answers });
      } catch {
        /* try again on the next tick */
      }
    }, 4000);
    return () => clearTimeout(timer);
  }, [pending, detail]);

  // The listener is added once and reads the latest state through `live`: effects run after
  // paint, so a closure over this render's state would miss a key pressed in between.
  const live = useRef({});
  live.current = { current, criterion, answer, rubric, go, score };
  useEffect(() => {
    const onKey = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      const now = live.current;
      const count = now.rubric.length;
      const key = event.key;
      if (key === "j") now.go(now.current + 1);
      else if (key === "k") now.go(now.current - 1);
      else if ((key === "n" || key === "p") && count) {
        const next = (now.criterion + (key === "n" ? 1 : count - 1)) % count;
        now.criterion = next;
        setCriterion(next);
      } else if (/^[1-5]$/.test(key) && count && now.answer) {
        now.score(now.answer.question_id, now.rubric[now.criterion].criterion_id, Number(key));
      } else if (key === "s") setSpeed((s) => SPEEDS[(SPEEDS.indexOf(s) + 1) % SPEEDS.length]);
      else if (key === "?") setHelp((h) => !h);
      else if (key === " ") {
        if (event.target.closest && event.target.closest("button, a, video, audio, summary")) return;
        const player = media.current;
        if (!player) return;
        event.preventDefault();
        if (player.paused) player.play().catch(() => {});
        else player.pause();
        return;
      } else return;
      event.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const save = useAction(async () => {
    const body = { scores, note };
    if (recommendation) body.recommendation = recommendation;
    const fresh = await authed(`${path}/review`, { method: "PUT", body });
    // The whole candidate again, or just {my_review, reviews}: keep what did not change.
    setDetail(fresh && fresh.invitation ? fresh : { ...detail, my_review: fresh.my_review, reviews: fresh.reviews || [] });
    setDirty(false);
    setSaved("Review saved.");
  });

  const scoredCount = (qid) => Object.keys(scores[qid] || {}).length;
  const name = displayName(invitation);

  return html`
    <div class="review-head">
      <p class="crumbs"><a href=${link("interviews", interview.interview_id)}>${interview.title}</a> ›</p>
      <div class="review-title">
        <h1 id="candidate-name">${name}</h1>
        <${Badge} value=${invitation.status} />
        <${Badge} value=${invitation.stage} kind="stage" />
      </div>
      <p class="meta">
        ${invitation.candidate_email && html`<span data-field="candidate-email">${invitation.candidate_email}</span> · `}
        ${invitation.completed_at ? `Completed ${formatDate(invitation.completed_at, true)}` : `Deadline ${formatDeadline(invitation.deadline, invitation.time_zone)}`}
        ${interview.blind_review ? " · Blind review" : ""}
      </p>
      ${invitation.asked_to_record_again &&
      html`<p class="notice" data-field="asked-again">
        Asked to record again: the answer to question ${invitation.asked_to_record_again.positions.join(", ")} could not be
        processed after the candidate submitted. They were emailed their link and have until ${formatDate(invitation.deadline, true)}.
      </p>`}
    </div>
    <div class="review-grid">
      <section class="review-main" aria-label="Answers">
        <nav class="question-nav" aria-label="Questions">
          ${answers.map(
            (a, i) => html`<button type="button" class=${`qbtn ${i === current ? "current" : ""}`} aria-current=${i === current ? "step" : undefined}
              data-qindex=${i} onClick=${() => go(i)} title=${a.text}>
              <span>Q${a.position || i + 1}</span>
              ${rubric.length > 0 && html`<span class="qscore">${scoredCount(a.question_id)}/${rubric.length}</span>`}
            </button>`,
          )}
        </nav>
        ${answer
          ? html`<${AnswerView} key=${answer.question_id} answer=${answer} index=${current} total=${answers.length}
              speed=${speed} setSpeed=${setSpeed} mediaRef=${media} />`
          : html`<p class="meta">This interview has no answers yet.</p>`}
        <div class="actions between">
          <button type="button" class="secondary" id="prev-question" disabled=${current === 0} onClick=${() => go(current - 1)}>← Previous (k)</button>
          <button type="button" class="secondary" id="next-question" disabled=${current >= answers.length - 1} onClick=${() => go(current + 1)}>Next (j) →</button>
        </div>
        <details class="shortcuts" open=${help} onToggle=${(e) => setHelp(e.currentTarget.open)} id="shortcuts">
          <summary>Keyboard shortcuts</summary>
          <dl>${SHORTCUTS.map(([k, what]) => html`<div><dt><kbd>${k}</kbd></dt><dd>${what}</dd></div>`)}</dl>
        </details>
        ${invitation.feedback &&
        html`<section class="card">
          <h2>Candidate feedback</h2>
          <p>${"★".repeat(invitation.feedback.rating)}${"☆".repeat(5 - invitation.feedback.rating)} <span class="visually-hidden">${invitation.feedback.rating} of 5</span></p>
          ${invitation.feedback.comment && html`<p>${invitation.feedback.comment}</p>`}
        </section>`}
      </section>

      <aside class="review-side" aria-label="Your review">
        <${AccommodationCard} invitation=${invitation} path=${path} isAdmin=${isAdmin} onChange=${(inv) => setDetail({ ...detail, invitation: { ...detail.invitation, ...inv } })} />
        <${CandidateLinkCard} invitation=${invitation} path=${path} isAdmin=${isAdmin} onChange=${(inv) => setDetail({ ...detail, invitation: { ...detail.invitation, ...inv } })} />
        <form class="card" id="review-form" novalidate onSubmit=${(e) => (e.preventDefault(), save.run())}>
          <h2>Your review</h2>
          ${rubric.length === 0
            ? html`<p class="meta">This interview has no rubric: give a recommendation and a note.</p>`
            : answer &&
              html`<p class="meta">Scores for question ${answer.position || current + 1}. Press 1–5 to score the highlighted criterion.</p>
                ${rubric.map((c, ci) => {
                  const value = (scores[answer.question_id] || {})[c.criterion_id];
                  return html`<fieldset class=${`criterion ${ci === criterion ? "focused" : ""}`} data-criterion=${c.criterion_id}
                    onFocusIn=${() => setCriterion(ci)}>
                    <legend>${c.name}</legend>
                    <div class="scale" role="group" aria-label=${`${c.name} score`}>
                      ${[1, 2, 3, 4, 5].map(
                        (n) => html`<button type="button" class="score" data-score=${n} aria-pressed=${value === n ? "true" : "false"}
                          title=${(c.anchors && c.anchors[n - 1]) || ""} onClick=${() => (setCriterion(ci), score(answer.question_id, c.criterion_id, n))}>${n}</button>`,
                      )}
                    </div>
                    <p class="meta anchor">${value ? (c.anchors && c.anchors[value - 1]) || "" : "Not scored yet"}</p>
                  </fieldset>`;
                })}`}
          <${Field} id="review-recommendation" label="Recommendation">
            <select id="review-recommendation" value=${recommendation} onChange=${(e) => (setRecommendation(e.currentTarget.value), setDirty(true))}>
              <option value="">No recommendation yet</option>
              ${RECOMMENDATIONS.map(([value, text]) => html`<option value=${value}>${text}</option>`)}
            </select>
          <//>
          <${Field} id="review-note" label="Private note (only you see it)">
            <textarea id="review-note" rows="3" value=${note} onInput=${(e) => (setNote(e.currentTarget.value), setDirty(true))}></textarea>
          <//>
          <${ErrorBox} error=${save.error} />
          ${saved && html`<p class="ok" role="status" id="review-saved">${saved}</p>`}
          <button type="submit" disabled=${save.busy}>${detail.my_review ? "Update review" : "Submit review"}${dirty ? " •" : ""}</button>
        </form>

        <${OtherReviews} detail=${detail} rubric=${rubric} />
        ${isAdmin && ["invited", "opened", "started"].includes(invitation.status) &&
        html`<${ExtraTime} invitation=${invitation} path=${path} onChange=${(inv) => setDetail({ ...detail, invitation: { ...detail.invitation, ...inv } })} />`}
        ${isAdmin && html`<${StageBox} invitation=${invitation} path=${path} onChange=${(inv) => setDetail({ ...detail, invitation: { ...detail.invitation, ...inv } })} />`}
        <${Comments} detail=${detail} path=${path} me=${me} onAdd=${(c) => setDetail({ ...detail, comments: [...(detail.comments || []), c] })} />
        <${Shares} path=${path} forceMask=${interview.blind_review && (!isAdmin || interview.hide_names_from_admins)} />
        <${DeleteCandidate} invitation=${invitation} interview=${interview} path=${path} isAdmin=${isAdmin} />
      </aside>
    </div>`;
}

function OtherReviews({ detail }) {
  const reviews = detail.reviews || [];
  return html`<section class="card" id="other-reviews">
    <h2>Colleagues' reviews</h2>
    ${!detail.my_review
      ? html`<p class="meta">Submit your review to see your colleagues' scores. Their private notes stay theirs.</p>`
      : reviews.length === 0
        ? html`<p class="meta">No one else has reviewed yet.</p>`
        : html`<ul class="plain">
            ${reviews.map(
              (r) => html`<li>
                <strong>${r.reviewer && r.reviewer.name}</strong>: ${formatScore(r.average)}
                ${r.recommendation && html` · ${r.recommendation.replaceAll("_", " ")}`}
                <span class="meta"> · ${formatDate(r.submitted_at)}</span>
              </li>`,
            )}
          </ul>`}
  </section>`;
}

function ExtraTime({ invitation, path, onChange }) {
  const [value, setValue] = useState(String(invitation.time_multiplier || 1));
  const [done, setDone] = useState("");
  const save = useAction(async () => {
    const updated = await authed(path, { method: "PATCH", body: { time_multiplier: Number(value) } });
    onChange(updated.invitation || updated);
    setDone("Saved: the candidate's limits change on their next question.");
  });
  return html`<form class="card" id="extra-time" novalidate onSubmit=${(e) => (e.preventDefault(), save.run())}>
    <h2>Extra time</h2>
    <${Field} id="extra-time-value" label="Thinking and answer time">
      <select id="extra-time-value" value=${value} onChange=${(e) => setValue(e.currentTarget.value)}>
        ${["1", "1.25", "1.5", "2", "3", "4"].map((m) => html`<option value=${m}>${m === "1" ? "Standard" : `${m}×`}</option>`)}
      </select>
    <//>
    <${ErrorBox} error=${save.error} />
    ${done && html`<p class="ok" role="status">${done}</p>`}
    <button type="submit" class="secondary" disabled=${save.busy}>Save</button>
  </form>`;
}

function Comments({ detail, path, onAdd }) {
  const [text, setText] = useState("");
  const add = useAction(async () => {
    const comment = await authed(`${path}/comments`, { method: "POST", body: { text } });
    onAdd(comment);
    setText("");
  });
  const comments = detail.comments || [];
  return html`<section class="card" id="comments">
    <h2>Comments</h2>
    ${comments.length === 0 && html`<p class="meta">No comments yet.</p>`}
    <ol class="comment-list">
      ${comments.map(
        (c) => html`<li class="comment" data-comment=${c.comment_id}>
          <p class="meta"><strong>${c.author && c.author.name}</strong> · ${formatDate(c.created_at, true)}</p>
          <p class="comment-text">${c.text}</p>
        </li>`,
      )}
    </ol>
    <form novalidate onSubmit=${(e) => (e.preventDefault(), add.run())}>
      <${Field} id="comment-text" label="Add a comment for your team">
        <textarea id="comment-text" rows="2" maxlength="2000" value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea>
      <//>
      <${ErrorBox} error=${add.error} />
      <button type="submit" class="secondary" disabled=${add.busy || !text.trim()}>Comment</button>
    </form>
  </section>`;
}

function Shares({ path, forceMask }) {
  const list = useLoad(() => authed(`${path}/shares`), [path]);
  const [created, setCreated] = useState(null);
  const [days, setDays] = useState("7");
  const [mask, setMask] = useState(false);
  const [copied, setCopied] = useState(false);
  const create = useAction(async () => {
    const body = { expires_in_days: Number(days), mask_name: mask || forceMask };
    const share = await authed(`${path}/shares`, { method: "POST", body });
    setCreated(share);
    setCopied(false);
    list.reload();
  });
  const revoke = useAction(async (shareId) => {
    await authed(`/shares/${encodeURIComponent(shareId)}`, { method: "DELETE" });
    list.reload();
  });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const shares = (list.data && list.data.shares) || [];
  return html`<section class="card" id="shares">
    <h2>Share with someone outside the team</h2>
    <p class="meta">A read-only link to the answers, no sign-in needed. You can revoke it at any time.</p>
    <form novalidate onSubmit=${(e) => (e.preventDefault(), create.run())} id="share-form">
      <div class="row tight">
        <${Field} id="share-days" label="Expires after">
          <select id="share-days" value=${days} onChange=${(e) => setDays(e.currentTarget.value)}>
            ${[1, 3, 7, 14, 30].map((d) => html`<option value=${d}>${d} day${d === 1 ? "" : "s"}</option>`)}
          </select>
        <//>
      </div>
      <label class="inline"><input type="checkbox" id="share-mask" checked=${mask || forceMask} disabled=${forceMask}
        onChange=${(e) => setMask(e.currentTarget.checked)} /> Hide the candidate's name</label>
      ${forceMask && html`<p class="meta" id="share-mask-forced">Blind review: links you share always hide the name.</p>`}
      <${ErrorBox} error=${create.error || revoke.error} />
      <button type="submit" class="secondary" disabled=${create.busy}>Create share link</button>
    </form>
    ${created &&
    html`<div class="share-created" role="status">
      <label for="share-url">Copy this link now: it is shown only once.</label>
      <div class="copy-row">
        <input id="share-url" readonly value=${created.url} onFocus=${(e) => e.currentTarget.select()} />
        <button type="button" class="small" onClick=${copy}>${copied ? "Copied" : "Copy"}</button>
      </div>
    </div>`}
    ${shares.length > 0 &&
    html`<ul class="plain share-list">
      ${shares.map(
        (s) => html`<li data-share=${s.share_id}>
          <span>${s.revoked ? "Revoked" : `Expires ${formatDate(s.expires_at)}`}${s.mask_name ? " · name hidden" : ""}</span>
          ${!s.revoked && html`<button type="button" class="secondary small danger" disabled=${revoke.busy} onClick=${() => revoke.run(s.share_id)}>Revoke</button>`}
        </li>`,
      )}
    </ul>`}
    ${list.error && html`<${ErrorBox} error=${list.error} />`}
  </section>`;
}
