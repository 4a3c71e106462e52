// The console's building blocks: error boxes, async loading, badges, form fields, links.
// The formatting the share page uses too lives in /shared/ui.js; it is re-exported here so
// console modules import their toolkit from one place.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "/shared/api.js";
import { describe, formatDate, formatDuration, formatScore, html } from "/shared/ui.js";

export { describe, formatDate, formatDuration, formatScore, html };

const FIELD_NAMES = {
  company_name: "Company name",
  name: "Name",
  email: "Email",
  password: "Password",
  new_password: "New password",
  title: "Title",
  role_description: "Role description",
  intro: "Introduction",
  outro: "Closing message",
  support_contact: "Support contact",
  deadline_days: "Days to complete",
  text: "Text",
  answer_type: "Answer type",
  think_seconds: "Thinking time",
  max_answer_seconds: "Answer limit",
  retakes: "Retakes",
  video_key: "Video",
  from_library: "Video",
  language: "Language",
  time_zone: "Time zone",
  anchors: "Anchors",
  brand_color: "Brand colour",
  csv: "CSV",
  candidates: "Candidates",
};

/** `questions.0.text` → "Question 1 · Text". */
export function fieldLabel(path) {
  const parts = String(path || "").split(".");
  const words = [];
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i];
    const next = parts[i + 1];
    if (/^\d+$/.test(next || "")) {
      const noun = { questions: "Question", rubric: "Criterion", candidates: "Candidate", anchors: "Anchor" }[part];
      words.push(`${noun || part} ${Number(next) + 1}`);
      i += 1;
    } else if (part !== "body") {
      words.push(FIELD_NAMES[part] || part.replaceAll("_", " "));
    }
  }
  return words.join(" · ");
}

/** The message and, for invalid input, one line per field. */
export function ErrorBox({ error, id }) {
  if (!error) return html`<p class="error" role="alert" data-error id=${id}></p>`;
  const details = error instanceof ApiError ? error.details : [];
  return html`<div class="error" role="alert" data-error id=${id}>
    <span>${describe(error)}</span>
    ${details.length > 0 &&
    html`<ul class="error-list">
      ${details.map((d) => html`<li>${fieldLabel(d.field)}${d.field ? ": " : ""}${d.message}</li>`)}
    </ul>`}
  </div>`;
}

/** Load something once (and again when `deps` change or `reload()` is called). */
export function useLoad(loader, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const alive = useRef(true);
  useEffect(() => () => (alive.current = false), []);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    loader().then(
      (data) => current && alive.current && setState({ data, error: null, loading: false }),
      (error) => current && alive.current && setState({ data: null, error, loading: false }),
    );
    return () => (current = false);
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((data) => setState((s) => ({ ...s, data })), []);
  return { ...state, reload, setData };
}

/** A submit handler with a busy flag and an error. */
export function useAction(action) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (...args) => {
    setBusy(true);
    setError(null);
    try {
      return await action(...args);
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

export function Loading({ state, children }) {
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  if (state.loading && !state.data) return html`<p class="meta" aria-live="polite">Loading…</p>`;
  return children();
}

export function Badge({ value, kind = "status" }) {
  return html`<span class=${`badge ${kind}-${String(value || "none").replace(/[^a-z_]/g, "")}`}>${(value || "—").replaceAll("_", " ")}</span>`;
}

/** A labelled input; `id` ties label and control together. */
export function Field({ id, label, hint, children, ...props }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${children || html`<input id=${id} ...${props} />`}
    ${hint && html`<p class="hint meta">${hint}</p>`}
  </div>`;
}

export function link(...parts) {
  return `#/${parts.map((p) => encodeURIComponent(p)).join("/")}`;
}

export function navigate(hash) {
  if (window.location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else window.location.hash = hash;
}

export function formValues(form) {
  return Object.fromEntries(new FormData(form));
}
