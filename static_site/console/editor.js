// Create or edit an interview: the basics, questions, rubric, settings, and a branding preview.
// Errors show next to their field in plain words and clear once the field is fixed; questions
// can be kept in the company's library and picked from it; reviewers read the interview as text.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "/shared/api.js";
import { detailsByField, ErrorSummary, FieldError, focusField, invalid } from "./form_errors.js";
import { InterviewTabs } from "./interviews.js";
import { describeQuestion, LibraryPicker, SaveToLibrary } from "./library.js";
import { Recorder, sendFile, watchVideo } from "./recorder.js";
import { authed } from "./session.js";
import { describe, ErrorBox, html, link, Loading, navigate, useAction, useLoad } from "./ui.js";

const DEFAULT_ANCHORS = ["Poor", "Weak", "Adequate", "Good", "Excellent"];

function newQuestion() {
  return { text: "", answer_type: "video", think_seconds: 30, max_answer_seconds: 120, retakes: 1 };
}

// The candidate-facing languages the API offers (`schemas.Language`), named in their own words.
export const LANGUAGES = [
  ["en", "English"],
  ["es", "Español (Spanish)"],
  ["fr", "Français (French)"],
  ["de", "Deutsch (German)"],
  ["pt", "Português (Portuguese)"],
  ["ar", "العربية (Arabic)"],
];

function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Every IANA zone this browser knows, with UTC and the current value always offered. */
function timeZones(current) {
  let names = [];
  try {
    names = Intl.supportedValuesOf("timeZone");
  } catch {
    names = [];
  }
  return [...new Set(["UTC", current, ...names].filter(Boolean))].sort((a, b) => (a === "UTC" ? -1 : b === "UTC" ? 1 : a.localeCompare(b)));
}

function blank() {
  return {
    title: "",
    language: "en",
    time_zone: browserTimeZone(),
    role_description: "",
    intro: "",
    outro: "",
    support_contact: "",
    deadline_days: 7,
    questions: [newQuestion()],
    rubric: [],
    blind_review: false,
    hide_names_from_admins: false,
    apply: { enabled: false, cap: 100, url: null },
  };
}

function fromApi(interview) {
  return {
    ...blank(),
    ...interview,
    language: interview.language || "en",
    time_zone: interview.time_zone || "UTC",
    support_contact: interview.support_contact || "",
    blind_review: Boolean(interview.blind_review),
    hide_names_from_admins: Boolean(interview.hide_names_from_admins),
    apply: interview.apply || { enabled: false, cap: 100, url: null },
  };
}

function body(form) {
  return {
    title: form.title,
    role_description: form.role_description,
    intro: form.intro,
    outro: form.outro,
    support_contact: form.support_contact || null,
    deadline_days: Number(form.deadline_days),
    language: form.language,
    time_zone: form.time_zone,
    questions: form.questions.map((q) => ({
      ...(q.question_id ? { question_id: q.question_id } : {}),
      text: q.text,
      answer_type: q.answer_type,
      think_seconds: Number(q.think_seconds),
      max_answer_seconds: q.answer_type === "text" ? Number(q.max_answer_seconds) || 0 : Number(q.max_answer_seconds),
      retakes: Number(q.retakes),
      video_key: q.video_key || null,
      ...(q.from_library && !q.video_key ? { from_library: q.from_library } : {}),
    })),
    rubric: form.rubric.map((c) => ({
      ...(c.criterion_id ? { criterion_id: c.criterion_id } : {}),
      name: c.name,
      anchors: c.anchors,
    })),
  };
}

const VIDEO_TYPES = ["video/mp4", "video/webm", "video/x-matroska", "video/quicktime"];
const MAX_VIDEO_BYTES = 200 * 1024 * 1024;

/** Record, upload, preview and remove the recruiter's video for one question. */
function QuestionVideo({ index, question, interviewId, onChange, error }) {
  const [state, setState] = useState({ phase: "idle", progress: 0, error: "" });
  const id = `q-${index}-video`;
  const processing = question.video_status === "processing" && question.video_id;
  useEffect(() => {
    if (!processing) return undefined;
    return watchVideo(interviewId, question.video_id, (video) => {
      if (video.status === "ready") {
        onChange({ video_status: "ready", video_url: video.video_url, video_poster_url: video.poster_url });
        setState({ phase: "ready", progress: 1, error: "" });
      } else if (video.status === "failed") {
        onChange({ video_key: question.previous_video_key || null, video_id: null, video_status: null, video_url: question.previous_video_url || null, video_poster_url: question.previous_video_poster_url || null });
        setState({ phase: "failed", progress: 0, error: video.message || "This video could not be processed. Please record it again." });
      }
    });
  }, [processing, question.video_id]);
  if (question.from_library && !question.video_key) {
    // Picked from the library with its video: the save gives this interview its own copy.
    return html`<div class="question-video" data-video=${index}>
      <video id=${`${id}-preview`} class="question-video-preview" src=${question.video_url || ""} poster=${question.video_poster_url || undefined}
        controls playsinline preload="metadata" aria-label=${`Video of question ${index + 1}`}></video>
      <div class="actions small">
        <button type="button" class="secondary small danger" id=${id} ...${invalid(id, error)}
          onClick=${() => onChange({ from_library: null, video_url: null, video_poster_url: null })}
          aria-label=${`Remove video of question ${index + 1}`}>Remove video</button>
      </div>
      <${FieldError} id=${id} message=${error} />
      <p class="meta" id=${`${id}-status`}>Video from the question library: this interview gets its own copy when you save.</p>
    </div>`;
  }
  if (!interviewId) {
    return html`<p class="meta question-video-note">To add a video to a question, create the interview first.</p>`;
  }

  // A finalised video (processing): the question shows it once the worker made it playable.
  const adopt = (video) => {
    onChange({
      video_key: video.video_key,
      video_id: video.video_id,
      video_status: "processing",
      video_url: null,
      video_poster_url: null,
      previous_video_key: question.video_status === "processing" ? question.previous_video_key : question.video_key,
      previous_video_url: question.video_status === "processing" ? question.previous_video_url : question.video_url,
      previous_video_poster_url: question.video_status === "processing" ? question.previous_video_poster_url : question.video_poster_url,
    });
    setState({ phase: "processing", progress: 1, error: "" });
  };

  const choose = async (event) => {
    const input = event.currentTarget;
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    const type = (file.type || "").split(";")[0].trim().toLowerCase();
    if (!VIDEO_TYPES.includes(type)) {
      setState({ phase: "failed", progress: 0, error: "Choose an MP4, MOV or WebM video file." });
      return;
    }
    if (file.size > MAX_VIDEO_BYTES) {
      setState({ phase: "failed", progress: 0, error: "This video is larger than 200 MB. Choose a shorter or smaller one." });
      return;
    }
    setState({ phase: "uploading", progress: 0, error: "" });
    try {
      adopt(await sendFile(interviewId, file, (progress) => setState({ phase: "uploading", progress, error: "" })));
    } catch (error) {
      setState({ phase: "failed", progress: 0, error: error instanceof ApiError ? describe(error) : error.message });
    }
  };
  const remove = () => {
    onChange({ video_key: null, video_id: null, video_status: null, video_url: null, video_poster_url: null });
    setState({ phase: "idle", progress: 0, error: "" });
  };

  const busy = state.phase === "uploading" || state.phase === "recording";
  const ready = question.video_key && question.video_status !== "processing";
  return html`<div class="question-video" data-video=${index}>
    ${state.phase === "recording"
      ? html`<${Recorder} id=${id} interviewId=${interviewId}
          onUse=${(video) => adopt(video)} onClose=${() => setState({ phase: "idle", progress: 0, error: "" })} />`
      : ready &&
        html`<video id=${`${id}-preview`} class="question-video-preview" src=${question.video_url || ""} poster=${question.video_poster_url || undefined}
          controls playsinline preload="metadata" aria-label=${`Video of question ${index + 1}`}></video>`}
    ${state.phase !== "recording" &&
    html`<div class="actions small">
      <button type="button" class="secondary small" id=${`${id}-record-open`} disabled=${busy}
        onClick=${() => setState({ phase: "recording", progress: 0, error: "" })}>
        ${question.video_key ? "Record a new video" : "Record a video"}</button>
      <label for=${id}>${question.video_key ? "Replace with a file" : "Or choose a file"} (question ${index + 1})</label>
      <input type="file" id=${id} accept="video/*" disabled=${busy} onChange=${choose} ...${invalid(id, error)} />
      ${question.video_key &&
      html`<button type="button" class="secondary small danger" id=${`${id}-remove`} disabled=${busy} onClick=${remove}
        aria-label=${`Remove video of question ${index + 1}`}>Remove video</button>`}
    </div>`}
    <p class="meta" id=${`${id}-status`} role="status" aria-live="polite">
      ${state.phase === "uploading" && `Uploading the video… ${Math.round(state.progress * 100)}%`}
      ${processing && "Processing… the video will play here in a moment."}
      ${question.video_id && question.video_status === "ready" && "Video ready. Save changes to show it to candidates invited from now on."}
      ${state.phase === "idle" && !question.video_key && "Optional: record up to 3 minutes here, or choose a video file (MP4, MOV or WebM, up to 200 MB). Candidates see it above the question; it plays on every device."}
    </p>
    ${state.phase === "failed"
      ? html`<p class="error" role="alert" id=${`${id}-error`}>${state.error}</p>`
      : html`<${FieldError} id=${id} message=${error} />`}
  </div>`;
}

export function EditorPage({ me, isAdmin, interviewId }) {
  const state = useLoad(
    () => (interviewId ? authed(`/interviews/${encodeURIComponent(interviewId)}`) : Promise.resolve(null)),
    [interviewId],
  );
  return html`<main class="page" id="editor-page">
    ${interviewId
      ? html`<${InterviewTabs} interviewId=${interviewId} current="edit" isAdmin=${isAdmin} title=${state.data && state.data.title} />`
      : html`<p class="crumbs"><a href="#/interviews">Interviews</a> ›</p><h1>New interview</h1>`}
    ${!isAdmin && html`<p class="notice" id="readonly-note">You can read this interview. Only a company admin can change it.</p>`}
    <${Loading} state=${state}>
      ${() =>
        isAdmin
          ? html`<${Editor} key=${interviewId || "new"} me=${me} initial=${state.data ? fromApi(state.data) : blank()} interviewId=${interviewId} />`
          : state.data
            ? html`<${ReadOnlyInterview} interview=${fromApi(state.data)} />`
            : html`<p class="meta">Ask a company admin to create interviews.</p>`}
    <//>
  </main>`;
}

// --- field checks: the same plain words whether the browser or the API finds the problem --------

const SIMPLE_IDS = {
  title: "interview-title-input",
  role_description: "interview-role",
  intro: "interview-intro",
  outro: "interview-outro",
  support_contact: "interview-support",
  deadline_days: "interview-deadline",
  language: "interview-language",
  time_zone: "interview-time-zone",
};
const QUESTION_IDS = {
  text: "text",
  answer_type: "type",
  think_seconds: "think",
  max_answer_seconds: "max",
  retakes: "retakes",
  video_key: "video",
  from_library: "video",
};

/** The input that shows a field's error (null: the summary alone names it). */
function fieldId(path) {
  if (SIMPLE_IDS[path]) return SIMPLE_IDS[path];
  let match = path.match(/^questions\.(\d+)\.(\w+)$/);
  if (match && QUESTION_IDS[match[2]]) return `q-${match[1]}-${QUESTION_IDS[match[2]]}`;
  match = path.match(/^rubric\.(\d+)\.name$/);
  if (match) return `c-${match[1]}-name`;
  match = path.match(/^rubric\.(\d+)\.anchors(?:\.(\d+))?$/);
  if (match) return `c-${match[1]}-anchor-${match[2] || 0}`;
  return null;
}

/** An API path as the editor shows it: a question-level rule is about its answer limit. */
function normalise(path, detail) {
  if (/^questions\.\d+$/.test(path) && /max_answer_seconds/.test(detail.message || "")) return `${path}.max_answer_seconds`;
  if (/^questions\.\d+\.video_key$/.test(path)) return path;
  return path;
}

const whole = (value, low, high) => {
  const text = String(value ?? "").trim();
  return /^-?\d+$/.test(text) && Number(text) >= low && Number(text) <= high;
};
const filled = (value) => String(value ?? "").trim().length > 0;
const SUPPORT = /^(?:[^\s@]+@[^\s@]+\.[^\s@]+|https:\/\/\S+)$/;

/** What is wrong with one field, in plain words, or null when it is fine. */
function check(form, path) {
  if (path === "title") return filled(form.title) ? (form.title.length > 200 ? "Keep the title to 200 characters or fewer." : null) : "Give the interview a title.";
  if (path === "deadline_days") return whole(form.deadline_days, 1, 90) ? null : "Choose a whole number of days from 1 to 90.";
  if (path === "support_contact") {
    const value = String(form.support_contact || "").trim();
    return !value || SUPPORT.test(value) ? null : "Use an email address (such as jobs@example.com) or a link starting with https://.";
  }
  if (path === "questions") return form.questions.length ? null : "Add at least one question.";
  let match = path.match(/^questions\.(\d+)\.(\w+)$/);
  if (match) {
    const q = form.questions[Number(match[1])];
    if (!q) return null;
    const recorded = q.answer_type !== "text";
    if (match[2] === "text") return filled(q.text) ? null : "Write the question.";
    if (match[2] === "think_seconds") return whole(q.think_seconds, 0, 600) ? null : "Use a whole number of seconds from 0 to 600 (0 means no limit).";
    if (match[2] === "max_answer_seconds") return !recorded || whole(q.max_answer_seconds, 10, 600) ? null : "A recorded answer needs a limit from 10 to 600 seconds.";
    if (match[2] === "retakes") return !recorded || whole(q.retakes, 0, 10) ? null : "Use a whole number of retakes from 0 to 10.";
    return null;
  }
  match = path.match(/^rubric\.(\d+)\.name$/);
  if (match) return filled((form.rubric[Number(match[1])] || {}).name) ? null : "Name the criterion.";
  return null;
}

/** Every path the browser checks, in the form's order. */
function checkedPaths(form) {
  const paths = ["title", "deadline_days", "support_contact", "questions"];
  form.questions.forEach((_, i) => paths.push(...["text", "think_seconds", "max_answer_seconds", "retakes"].map((f) => `questions.${i}.${f}`)));
  form.rubric.forEach((_, i) => paths.push(`rubric.${i}.name`));
  return paths;
}

/** A field's current value, to notice when it changed since its error was shown. */
function valueAt(form, path) {
  const parts = path.split(".");
  let value = form;
  for (const part of parts) value = value === null || value === undefined ? undefined : value[part];
  if (/^questions\.\d+\.(video_key|from_library)$/.test(path)) {
    const q = form.questions[Number(parts[1])] || {};
    value = [q.video_key, q.from_library];
  }
  return JSON.stringify(value ?? null);
}

// The editor's own words for a field the API refused, whatever the validator said.
const PLAIN = {
  title: "Give the interview a title.",
  deadline_days: "Choose a whole number of days from 1 to 90.",
  support_contact: "Use an email address (such as jobs@example.com) or a link starting with https://.",
  questions: "Add at least one question.",
  language: "Choose one of the languages offered.",
  time_zone: "Choose a time zone from the list.",
  text: "Write the question.",
  think_seconds: "Use a whole number of seconds from 0 to 600 (0 means no limit).",
  max_answer_seconds: "A recorded answer needs a limit from 10 to 600 seconds.",
  retakes: "Use a whole number of retakes from 0 to 10.",
  name: "Name the criterion.",
};

function plainFor() {
  return (path) => PLAIN[path] || (/^(questions|rubric)\.\d+\.(\w+)$/.test(path) ? PLAIN[path.split(".")[2]] : null) || null;
}

function Editor({ me, initial, interviewId }) {
  const [form, setForm] = useState(initial);
  const [saved, setSaved] = useState("");
  // path → {message, value}: the message stays while the field keeps the value it was shown for.
  const [errors, setErrors] = useState({});
  const [focusTick, setFocusTick] = useState(0);
  const [picking, setPicking] = useState(false);
  const set = (patch) => setForm((f) => ({ ...f, ...patch }));
  const setQuestion = (i, patch) =>
    setForm((f) => ({ ...f, questions: f.questions.map((q, j) => (i === j ? { ...q, ...patch } : q)) }));
  const setCriterion = (i, patch) =>
    setForm((f) => ({ ...f, rubric: f.rubric.map((c, j) => (i === j ? { ...c, ...patch } : c)) }));
  const move = (list, i, by) => {
    const next = [...list];
    const [item] = next.splice(i, 1);
    next.splice(i + by, 0, item);
    return next;
  };
  // Moving or removing items renumbers the paths errors were shown for: start again.
  const reorder = (patch) => {
    setErrors({});
    set(patch);
  };

  const shown = {};
  for (const [path, error] of Object.entries(errors)) {
    const message = valueAt(form, path) === error.value ? error.message : check(form, path);
    if (message) shown[path] = message;
  }
  const order = [...checkedPaths(form), ...Object.keys(shown)];
  const entries = [...new Set(order)].filter((path) => shown[path]).map((path) => ({ path, id: fieldId(path), message: shown[path] }));
  const errorOf = (path) => shown[path];

  const firstField = useRef(null);
  firstField.current = entries.find((entry) => entry.id);
  useEffect(() => {
    if (focusTick && !focusField(firstField.current && firstField.current.id)) {
      const summary = document.getElementById("editor-error-summary");
      if (summary) summary.scrollIntoView({ block: "start" });
    }
  }, [focusTick]);

  const showErrors = (found) => {
    const next = {};
    for (const [path, message] of Object.entries(found)) next[path] = { message, value: valueAt(form, path) };
    setErrors(next);
    setFocusTick((t) => t + 1);
  };

  const save = useAction(async () => {
    setSaved("");
    const path = interviewId ? `/interviews/${encodeURIComponent(interviewId)}` : "/interviews";
    let interview;
    try {
      interview = await authed(path, { method: interviewId ? "PUT" : "POST", body: body(form) });
    } catch (error) {
      const found = detailsByField(error, plainFor(form), normalise);
      if (!found) throw error;
      showErrors(found);
      return;
    }
    setErrors({});
    const id = interview.interview_id;
    const hideFromAdmins = form.blind_review && form.hide_names_from_admins;
    if (Boolean(interview.blind_review) !== form.blind_review || Boolean(interview.hide_names_from_admins) !== hideFromAdmins) {
      interview = await authed(`/interviews/${encodeURIComponent(id)}/settings`, {
        method: "PUT",
        body: { blind_review: form.blind_review, hide_names_from_admins: hideFromAdmins },
      });
    }
    const apply = interview.apply || {};
    if (Boolean(apply.enabled) !== Boolean(form.apply.enabled) || (form.apply.enabled && Number(apply.cap) !== Number(form.apply.cap))) {
      interview = await authed(`/interviews/${encodeURIComponent(id)}/apply-link`, {
        method: "PUT",
        body: { enabled: Boolean(form.apply.enabled), cap: Number(form.apply.cap) || 100 },
      });
    }
    if (!interviewId) {
      navigate(link("interviews", id, "invite"));
      return;
    }
    setForm(fromApi(interview));
    setSaved("Saved. Candidates invited before this change keep the questions they were sent.");
  });
  const deleteInterview = useAction(async () => {
    if (!window.confirm("Delete this interview and its question videos? This cannot be undone.")) return;
    await authed(`/interviews/${encodeURIComponent(interviewId)}`, { method: "DELETE" });
    navigate("#/interviews");
  });
  const neverInvited = !(form.counts && Number(form.counts.invited) > 0);
  const archive = useAction(async () => {
    if (!window.confirm("Archive this interview? Its candidates stay, but it leaves the list.")) return;
    await authed(`/interviews/${encodeURIComponent(interviewId)}/archive`, { method: "POST" });
    navigate("#/interviews");
  });

  const submit = (event) => {
    event.preventDefault();
    const found = {};
    for (const path of checkedPaths(form)) {
      const message = check(form, path);
      if (message) found[path] = message;
    }
    if (Object.keys(found).length) {
      setSaved("");
      showErrors(found);
      return;
    }
    save.run();
  };

  // A labelled input with its error underneath, tied together for screen readers.
  const input = (path, id, label, props) => html`<div class="field">
    <label for=${id}>${label}</label>
    <input id=${id} ...${props} ...${invalid(id, errorOf(path))} />
    <${FieldError} id=${id} message=${errorOf(path)} />
  </div>`;
  const area = (path, id, label, value, onInput, rows = 3) => html`<div class="field">
    <label for=${id}>${label}</label>
    <textarea id=${id} rows=${rows} value=${value} onInput=${onInput} ...${invalid(id, errorOf(path))}></textarea>
    <${FieldError} id=${id} message=${errorOf(path)} />
  </div>`;
  const pick = (question) => {
    set({ questions: [...form.questions, question] });
    setPicking(false);
  };

  return html`<form id="interview-form" class="editor" novalidate onSubmit=${submit}>
    <${ErrorSummary} entries=${entries} id="editor-error-summary" />
    <section class="card">
      <h2>Basics</h2>
      ${input("title", "interview-title-input", "Title", { value: form.title, required: true, maxlength: "200", onInput: (e) => set({ title: e.currentTarget.value }) })}
      ${area("role_description", "interview-role", "Role description", form.role_description, (e) => set({ role_description: e.currentTarget.value }))}
      <div class="row">
        ${input("deadline_days", "interview-deadline", "Days to complete (1–90)", { type: "number", min: "1", max: "90", value: form.deadline_days, onInput: (e) => set({ deadline_days: e.currentTarget.value }) })}
        ${input("support_contact", "interview-support", "Support contact (shown to candidates)", { value: form.support_contact, onInput: (e) => set({ support_contact: e.currentTarget.value }) })}
      </div>
      <div class="row">
        <div class="field">
          <label for="interview-language">Candidates' language</label>
          <select id="interview-language" value=${form.language} onChange=${(e) => set({ language: e.currentTarget.value })} ...${invalid("interview-language", errorOf("language"))}>
            ${LANGUAGES.map(([code, name]) => html`<option value=${code} lang=${code}>${name}</option>`)}
          </select>
          <p class="hint meta">Pages and emails for candidates are in this language; they may switch.</p>
          <${FieldError} id="interview-language" message=${errorOf("language")} />
        </div>
        <div class="field">
          <label for="interview-time-zone">Time zone of the deadline</label>
          <select id="interview-time-zone" value=${form.time_zone} onChange=${(e) => set({ time_zone: e.currentTarget.value })} ...${invalid("interview-time-zone", errorOf("time_zone"))}>
            ${timeZones(form.time_zone).map((zone) => html`<option value=${zone}>${zone.replaceAll("_", " ")}</option>`)}
          </select>
          <p class="hint meta">Emails give the deadline in this time zone, with its offset.</p>
          <${FieldError} id="interview-time-zone" message=${errorOf("time_zone")} />
        </div>
      </div>
    </section>

    <section class="card">
      <h2>Introduction and closing</h2>
      ${area("intro", "interview-intro", "Introduction (before the first question)", form.intro, (e) => set({ intro: e.currentTarget.value }))}
      ${area("outro", "interview-outro", "Closing message (after the last answer)", form.outro, (e) => set({ outro: e.currentTarget.value }))}
    </section>

    <section class="card" aria-labelledby="questions-heading">
      <h2 id="questions-heading">Questions</h2>
      <ol class="question-editor">
        ${form.questions.map(
          (q, i) => html`<li class="question-item" data-question=${i}>
            ${area(`questions.${i}.text`, `q-${i}-text`, `Question ${i + 1}`, q.text, (e) => setQuestion(i, { text: e.currentTarget.value }), 2)}
            <div class="row tight">
              <div class="field">
                <label for=${`q-${i}-type`}>Answer</label>
                <select id=${`q-${i}-type`} value=${q.answer_type} onChange=${(e) => setQuestion(i, { answer_type: e.currentTarget.value })}>
                  <option value="video">Video</option>
                  <option value="audio">Audio only</option>
                  <option value="text">Written</option>
                </select>
              </div>
              ${input(`questions.${i}.think_seconds`, `q-${i}-think`, "Thinking time (s, 0 = unlimited)", { type: "number", min: "0", max: "600", value: q.think_seconds, onInput: (e) => setQuestion(i, { think_seconds: e.currentTarget.value }) })}
              ${q.answer_type !== "text" &&
              html`${input(`questions.${i}.max_answer_seconds`, `q-${i}-max`, "Answer limit (s)", { type: "number", min: "10", max: "600", value: q.max_answer_seconds, onInput: (e) => setQuestion(i, { max_answer_seconds: e.currentTarget.value }) })}
                ${input(`questions.${i}.retakes`, `q-${i}-retakes`, "Retakes", { type: "number", min: "0", max: "10", value: q.retakes, onInput: (e) => setQuestion(i, { retakes: e.currentTarget.value }) })}`}
            </div>
            <${QuestionVideo} index=${i} question=${q} interviewId=${interviewId} onChange=${(patch) => setQuestion(i, patch)}
              error=${errorOf(`questions.${i}.video_key`) || errorOf(`questions.${i}.from_library`)} />
            <div class="actions small">
              <button type="button" class="secondary small" disabled=${i === 0}
                onClick=${() => reorder({ questions: move(form.questions, i, -1) })} aria-label=${`Move question ${i + 1} up`}>Up</button>
              <button type="button" class="secondary small" disabled=${i === form.questions.length - 1}
                onClick=${() => reorder({ questions: move(form.questions, i, 1) })} aria-label=${`Move question ${i + 1} down`}>Down</button>
              <button type="button" class="secondary small danger" disabled=${form.questions.length === 1}
                onClick=${() => reorder({ questions: form.questions.filter((_, j) => j !== i) })}
                aria-label=${`Remove question ${i + 1}`}>Remove</button>
              ${interviewId && q.question_id && html`<${SaveToLibrary} interviewId=${interviewId} question=${q} index=${i} />`}
            </div>
          </li>`,
        )}
      </ol>
      <div class="actions">
        <button type="button" class="secondary" id="add-question"
          onClick=${() => set({ questions: [...form.questions, newQuestion()] })}>Add question</button>
        <button type="button" class="secondary" id="pick-from-library" aria-expanded=${picking ? "true" : "false"}
          aria-controls="library-picker" onClick=${() => setPicking(!picking)}>Add from the question library</button>
      </div>
      ${picking && html`<${LibraryPicker} onPick=${pick} onClose=${() => setPicking(false)} />`}
    </section>

    <section class="card" aria-labelledby="rubric-heading">
      <h2 id="rubric-heading">Rubric</h2>
      <p class="meta">Reviewers score every answer from 1 to 5 on each criterion. Anchors say what each score means.</p>
      ${form.rubric.map(
        (c, i) => html`<fieldset class="criterion-editor" data-criterion=${i}>
          <legend>Criterion ${i + 1}</legend>
          ${input(`rubric.${i}.name`, `c-${i}-name`, "Name", { value: c.name, maxlength: "200", onInput: (e) => setCriterion(i, { name: e.currentTarget.value }) })}
          <div class="anchors">
            ${c.anchors.map(
              (anchor, a) => input(`rubric.${i}.anchors.${a}`, `c-${i}-anchor-${a}`, `${a + 1}`, {
                value: anchor,
                onInput: (e) => setCriterion(i, { anchors: c.anchors.map((x, k) => (k === a ? e.currentTarget.value : x)) }),
              }),
            )}
          </div>
          <button type="button" class="secondary small danger" onClick=${() => reorder({ rubric: form.rubric.filter((_, j) => j !== i) })}
            aria-label=${`Remove criterion ${i + 1}`}>Remove criterion</button>
        </fieldset>`,
      )}
      <button type="button" class="secondary" id="add-criterion"
        onClick=${() => set({ rubric: [...form.rubric, { name: "", anchors: [...DEFAULT_ANCHORS] }] })}>Add criterion</button>
    </section>

    <section class="card">
      <h2>Settings</h2>
      <label class="inline">
        <input type="checkbox" id="interview-blind" checked=${form.blind_review}
          onChange=${(e) => set({ blind_review: e.currentTarget.checked })} />
        Blind review: reviewers see “Candidate 7F3K” instead of names and emails, and answers in a shuffled order
      </label>
      ${form.blind_review && html`<label class="inline nested">
        <input type="checkbox" id="interview-blind-admins" checked=${form.hide_names_from_admins}
          onChange=${(e) => set({ hide_names_from_admins: e.currentTarget.checked })} />
        Hide names from admins too (the company export and the audit log still name candidates)
      </label>`}
      <label class="inline">
        <input type="checkbox" id="interview-apply" checked=${form.apply.enabled}
          onChange=${(e) => set({ apply: { ...form.apply, enabled: e.currentTarget.checked } })} />
        Public apply link: anyone with the link can invite themselves
      </label>
      ${form.apply.enabled &&
      input("apply.cap", "interview-apply-cap", "Stop accepting after this many applicants", {
        type: "number", min: "1", max: "10000", value: form.apply.cap,
        onInput: (e) => set({ apply: { ...form.apply, cap: e.currentTarget.value } }),
      })}
      ${form.apply.enabled && form.apply.url &&
      html`<p class="meta">Apply link: <a href=${form.apply.url} target="_blank" rel="noopener">${form.apply.url}</a>
        ${form.apply.count !== undefined && ` (${form.apply.count} of ${form.apply.cap} used)`}</p>`}
    </section>

    <section class="card">
      <h2>Branding</h2>
      <p class="meta">Candidates see your company's name, logo and colour. Change them in <a href="#/settings">Settings</a>.</p>
      <div class="brand-preview" style=${{ borderTopColor: me.company.brand_color || "#1a56db" }}>
        ${me.company.logo_url && html`<img src=${me.company.logo_url} alt="" />`}
        <strong>${me.company.name}</strong>
        <p>${form.title || "Interview title"}</p>
        <p class="meta">${form.intro || "Your introduction appears here."}</p>
        <span class="button" style=${{ background: me.company.brand_color || "#1a56db" }}>Start</span>
      </div>
    </section>

    <${ErrorBox} error=${save.error || archive.error || deleteInterview.error} id="editor-error" />
    ${saved && html`<p class="ok" role="status" id="editor-saved">${saved}</p>`}
    <div class="actions sticky-actions">
      <button type="submit" disabled=${save.busy} id="save-interview">${interviewId ? "Save changes" : "Create interview"}</button>
      ${interviewId &&
      html`<button type="button" class="secondary danger" onClick=${() => archive.run()} disabled=${archive.busy || form.status === "archived"}>
        ${form.status === "archived" ? "Archived" : "Archive"}
      </button>`}
      ${interviewId && neverInvited &&
      html`<button type="button" class="secondary danger" id="delete-interview" onClick=${() => deleteInterview.run()} disabled=${deleteInterview.busy}>
        Delete</button>`}
    </div>
  </form>`;
}

/** The interview as a reviewer reads it: text, not inputs, and nothing to save. */
function ReadOnlyInterview({ interview }) {
  const language = (LANGUAGES.find(([code]) => code === interview.language) || [null, interview.language])[1];
  const fact = (label, value) => html`<div><dt>${label}</dt><dd>${value || "—"}</dd></div>`;
  return html`<div class="readonly" id="interview-readonly">
    <section class="card">
      <h2>Basics</h2>
      <dl class="facts">
        ${fact("Title", interview.title)}
        ${fact("Days to complete", String(interview.deadline_days))}
        ${fact("Candidates' language", language)}
        ${fact("Time zone of the deadline", (interview.time_zone || "UTC").replaceAll("_", " "))}
        ${fact("Support contact", interview.support_contact)}
      </dl>
      ${interview.role_description && html`<h3>Role description</h3><p class="prose">${interview.role_description}</p>`}
      ${interview.intro && html`<h3>Introduction</h3><p class="prose">${interview.intro}</p>`}
      ${interview.outro && html`<h3>Closing message</h3><p class="prose">${interview.outro}</p>`}
    </section>
    <section class="card" aria-labelledby="readonly-questions">
      <h2 id="readonly-questions">Questions</h2>
      <ol class="readonly-questions">
        ${interview.questions.map(
          (q, i) => html`<li data-question=${i}>
            <p class="prose"><strong>${q.text}</strong></p>
            <p class="meta">${describeQuestion(q)}</p>
            ${q.video_url && html`<video class="question-video-preview" src=${q.video_url} poster=${q.video_poster_url || undefined}
              controls playsinline preload="metadata" aria-label=${`Video of question ${i + 1}`}></video>`}
          </li>`,
        )}
      </ol>
    </section>
    <section class="card" aria-labelledby="readonly-rubric">
      <h2 id="readonly-rubric">Rubric</h2>
      ${interview.rubric.length === 0
        ? html`<p class="meta">No rubric: reviewers leave notes only.</p>`
        : interview.rubric.map(
            (c) => html`<div class="readonly-criterion"><h3>${c.name}</h3>
              <ol class="anchor-list">${c.anchors.map((a) => html`<li>${a}</li>`)}</ol></div>`,
          )}
    </section>
    <section class="card">
      <h2>Settings</h2>
      <p>Blind review: ${interview.blind_review ? "on" : "off"}. Public apply link: ${interview.apply && interview.apply.enabled ? "on" : "off"}.</p>
    </section>
  </div>`;
}

