// Create or edit an interview: the basics, questions, rubric, settings, and a branding preview.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "/shared/api.js";
import { InterviewTabs } from "./interviews.js";
import { authed } from "./session.js";
import { describe, ErrorBox, Field, html, link, Loading, navigate, useAction, useLoad } from "./ui.js";

const DEFAULT_ANCHORS = ["Poor", "Weak", "Adequate", "Good", "Excellent"];

function newQuestion() {
  return { text: "", answer_type: "video", think_seconds: 30, max_answer_seconds: 120, retakes: 1 };
}

function blank() {
  return {
    title: "",
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
    questions: form.questions.map((q) => ({
      ...(q.question_id ? { question_id: q.question_id } : {}),
      text: q.text,
      answer_type: q.answer_type,
      think_seconds: Number(q.think_seconds),
      max_answer_seconds: q.answer_type === "text" ? Number(q.max_answer_seconds) || 0 : Number(q.max_answer_seconds),
      retakes: Number(q.retakes),
      video_key: q.video_key || null,
    })),
    rubric: form.rubric.map((c) => ({
      ...(c.criterion_id ? { criterion_id: c.criterion_id } : {}),
      name: c.name,
      anchors: c.anchors,
    })),
  };
}

const VIDEO_TYPES = ["video/mp4", "video/webm"];
const MAX_VIDEO_BYTES = 200 * 1024 * 1024;

/** The browser's multipart POST straight to S3: the grant's fields (key included), file last. */
function postVideo(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append("file", file, file.name || "question-video");
    const request = new XMLHttpRequest();
    request.open("POST", upload.url);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new Error("The storage refused the video (the upload link may have expired). Please try again."));
    request.onerror = () => reject(new Error("The video could not be uploaded. Check your connection and try again."));
    request.send(form);
  });
}

/** Add, preview and remove the recruiter's video for one question. */
function QuestionVideo({ index, question, interviewId, onChange }) {
  const [state, setState] = useState({ phase: "idle", progress: 0, error: "" });
  const localUrl = useRef(null);
  useEffect(() => () => localUrl.current && URL.revokeObjectURL(localUrl.current), []);
  const id = `q-${index}-video`;
  if (!interviewId) {
    return html`<p class="meta question-video-note">To add a video to a question, create the interview first.</p>`;
  }

  const choose = async (event) => {
    const input = event.currentTarget;
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    const type = (file.type || "").split(";")[0].trim().toLowerCase();
    if (!VIDEO_TYPES.includes(type)) {
      setState({ phase: "failed", progress: 0, error: "Choose an MP4 or WebM video file." });
      return;
    }
    if (file.size > MAX_VIDEO_BYTES) {
      setState({ phase: "failed", progress: 0, error: "This video is larger than 200 MB. Choose a shorter or smaller one." });
      return;
    }
    setState({ phase: "uploading", progress: 0, error: "" });
    try {
      const grant = await authed(`/interviews/${encodeURIComponent(interviewId)}/question-videos`, {
        method: "POST",
        body: { mime_type: type },
      });
      await postVideo(grant.upload, file, (progress) => setState({ phase: "uploading", progress, error: "" }));
      if (localUrl.current) URL.revokeObjectURL(localUrl.current);
      localUrl.current = URL.createObjectURL(file);
      onChange({ video_key: grant.video_key, video_url: localUrl.current });
      setState({ phase: "uploaded", progress: 1, error: "" });
    } catch (error) {
      setState({ phase: "failed", progress: 0, error: error instanceof ApiError ? describe(error) : error.message });
    }
  };
  const remove = () => {
    onChange({ video_key: null, video_url: null });
    setState({ phase: "idle", progress: 0, error: "" });
  };

  const busy = state.phase === "uploading";
  return html`<div class="question-video" data-video=${index}>
    ${question.video_key &&
    html`<video id=${`${id}-preview`} class="question-video-preview" src=${question.video_url || ""} controls playsinline preload="metadata"
      aria-label=${`Video of question ${index + 1}`}></video>`}
    <div class="actions small">
      <label for=${id}>${question.video_key ? "Replace the video" : "Add a video"} (question ${index + 1})</label>
      <input type="file" id=${id} accept="video/*" disabled=${busy} onChange=${choose} />
      ${question.video_key &&
      html`<button type="button" class="secondary small danger" id=${`${id}-remove`} disabled=${busy} onClick=${remove}
        aria-label=${`Remove the video of question ${index + 1}`}>Remove video</button>`}
    </div>
    <p class="meta" id=${`${id}-status`} role="status" aria-live="polite">
      ${busy && `Uploading the video… ${Math.round(state.progress * 100)}%`}
      ${state.phase === "uploaded" && "Video uploaded. Save changes to show it to candidates invited from now on."}
      ${state.phase === "idle" && !question.video_key && "Optional: MP4 or WebM, up to 200 MB. Candidates see it above the question."}
    </p>
    ${state.phase === "failed" && html`<p class="error" role="alert" id=${`${id}-error`}>${state.error}</p>`}
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
    ${!isAdmin && html`<p class="notice">Only a company admin can change interviews.</p>`}
    <${Loading} state=${state}>
      ${() => html`<${Editor} key=${interviewId || "new"} me=${me} initial=${state.data ? fromApi(state.data) : blank()} interviewId=${interviewId} />`}
    <//>
  </main>`;
}

function Editor({ me, initial, interviewId }) {
  const [form, setForm] = useState(initial);
  const [saved, setSaved] = useState("");
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

  const save = useAction(async () => {
    setSaved("");
    const path = interviewId ? `/interviews/${encodeURIComponent(interviewId)}` : "/interviews";
    let interview = await authed(path, { method: interviewId ? "PUT" : "POST", body: body(form) });
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
  const archive = useAction(async () => {
    if (!window.confirm("Archive this interview? Its candidates stay, but it leaves the list.")) return;
    await authed(`/interviews/${encodeURIComponent(interviewId)}/archive`, { method: "POST" });
    navigate("#/interviews");
  });

  const submit = (event) => {
    event.preventDefault();
    save.run();
  };

  return html`<form id="interview-form" class="editor" novalidate onSubmit=${submit}>
    <section class="card">
      <h2>Basics</h2>
      <${Field} id="interview-title-input" label="Title" value=${form.title} required maxlength="200"
        onInput=${(e) => set({ title: e.currentTarget.value })} />
      <${Field} id="interview-role" label="Role description">
        <textarea id="interview-role" rows="3" value=${form.role_description}
          onInput=${(e) => set({ role_description: e.currentTarget.value })}></textarea>
      <//>
      <div class="row">
        <${Field} id="interview-deadline" label="Days to complete (1–90)" type="number" min="1" max="90"
          value=${form.deadline_days} onInput=${(e) => set({ deadline_days: e.currentTarget.value })} />
        <${Field} id="interview-support" label="Support contact (shown to candidates)" value=${form.support_contact}
          onInput=${(e) => set({ support_contact: e.currentTarget.value })} />
      </div>
    </section>

    <section class="card">
      <h2>Introduction and closing</h2>
      <${Field} id="interview-intro" label="Introduction (before the first question)">
        <textarea id="interview-intro" rows="3" value=${form.intro} onInput=${(e) => set({ intro: e.currentTarget.value })}></textarea>
      <//>
      <${Field} id="interview-outro" label="Closing message (after the last answer)">
        <textarea id="interview-outro" rows="3" value=${form.outro} onInput=${(e) => set({ outro: e.currentTarget.value })}></textarea>
      <//>
    </section>

    <section class="card" aria-labelledby="questions-heading">
      <h2 id="questions-heading">Questions</h2>
      <ol class="question-editor">
        ${form.questions.map(
          (q, i) => html`<li class="question-item" data-question=${i}>
            <${Field} id=${`q-${i}-text`} label=${`Question ${i + 1}`}>
              <textarea id=${`q-${i}-text`} rows="2" value=${q.text} maxlength="2000"
                onInput=${(e) => setQuestion(i, { text: e.currentTarget.value })}></textarea>
            <//>
            <div class="row tight">
              <${Field} id=${`q-${i}-type`} label="Answer">
                <select id=${`q-${i}-type`} value=${q.answer_type} onChange=${(e) => setQuestion(i, { answer_type: e.currentTarget.value })}>
                  <option value="video">Video</option>
                  <option value="audio">Audio only</option>
                  <option value="text">Written</option>
                </select>
              <//>
              <${Field} id=${`q-${i}-think`} label="Thinking time (s, 0 = unlimited)" type="number" min="0" max="600"
                value=${q.think_seconds} onInput=${(e) => setQuestion(i, { think_seconds: e.currentTarget.value })} />
              ${q.answer_type !== "text" &&
              html`<${Field} id=${`q-${i}-max`} label="Answer limit (s)" type="number" min="10" max="600"
                  value=${q.max_answer_seconds} onInput=${(e) => setQuestion(i, { max_answer_seconds: e.currentTarget.value })} />
                <${Field} id=${`q-${i}-retakes`} label="Retakes" type="number" min="0" max="10"
                  value=${q.retakes} onInput=${(e) => setQuestion(i, { retakes: e.currentTarget.value })} />`}
            </div>
            <${QuestionVideo} index=${i} question=${q} interviewId=${interviewId} onChange=${(patch) => setQuestion(i, patch)} />
            <div class="actions small">
              <button type="button" class="secondary small" disabled=${i === 0}
                onClick=${() => set({ questions: move(form.questions, i, -1) })} aria-label=${`Move question ${i + 1} up`}>Up</button>
              <button type="button" class="secondary small" disabled=${i === form.questions.length - 1}
                onClick=${() => set({ questions: move(form.questions, i, 1) })} aria-label=${`Move question ${i + 1} down`}>Down</button>
              <button type="button" class="secondary small danger" disabled=${form.questions.length === 1}
                onClick=${() => set({ questions: form.questions.filter((_, j) => j !== i) })}
                aria-label=${`Remove question ${i + 1}`}>Remove</button>
            </div>
          </li>`,
        )}
      </ol>
      <button type="button" class="secondary" id="add-question"
        onClick=${() => set({ questions: [...form.questions, newQuestion()] })}>Add question</button>
    </section>

    <section class="card" aria-labelledby="rubric-heading">
      <h2 id="rubric-heading">Rubric</h2>
      <p class="meta">Reviewers score every answer from 1 to 5 on each criterion. Anchors say what each score means.</p>
      ${form.rubric.map(
        (c, i) => html`<fieldset class="criterion-editor" data-criterion=${i}>
          <legend>Criterion ${i + 1}</legend>
          <${Field} id=${`c-${i}-name`} label="Name" value=${c.name} maxlength="200"
            onInput=${(e) => setCriterion(i, { name: e.currentTarget.value })} />
          <div class="anchors">
            ${c.anchors.map(
              (anchor, a) => html`<${Field} id=${`c-${i}-anchor-${a}`} label=${`${a + 1}`} value=${anchor}
                onInput=${(e) => setCriterion(i, { anchors: c.anchors.map((x, k) => (k === a ? e.currentTarget.value : x)) })} />`,
            )}
          </div>
          <button type="button" class="secondary small danger" onClick=${() => set({ rubric: form.rubric.filter((_, j) => j !== i) })}
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
      html`<${Field} id="interview-apply-cap" label="Stop accepting after this many applicants" type="number" min="1" max="10000"
        value=${form.apply.cap} onInput=${(e) => set({ apply: { ...form.apply, cap: e.currentTarget.value } })} />`}
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

    <${ErrorBox} error=${save.error || archive.error} id="editor-error" />
    ${saved && html`<p class="ok" role="status" id="editor-saved">${saved}</p>`}
    <div class="actions sticky-actions">
      <button type="submit" disabled=${save.busy} id="save-interview">${interviewId ? "Save changes" : "Create interview"}</button>
      ${interviewId &&
      html`<button type="button" class="secondary danger" onClick=${() => archive.run()} disabled=${archive.busy || form.status === "archived"}>
        ${form.status === "archived" ? "Archived" : "Archive"}
      </button>`}
    </div>
  </form>`;
}
