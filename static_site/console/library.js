// The company's question library: keep a question from an interview, pick it into another,
// and (admins) drop what is no longer wanted. A kept video is the library's own copy.
import { useState } from "preact/hooks";
import { authed } from "./session.js";
import { ErrorBox, formatDate, formatDuration, html, Loading, useAction, useLoad } from "./ui.js";

const ANSWER = { video: "Video answer", audio: "Audio answer", text: "Written answer" };

/** "Video answer · 30 s to think · up to 2:00 · 1 retake" */
export function describeQuestion(q) {
  const parts = [ANSWER[q.answer_type] || q.answer_type];
  parts.push(Number(q.think_seconds) ? `${q.think_seconds} s to think` : "no time limit to think");
  if (q.answer_type !== "text") {
    parts.push(`up to ${formatDuration(q.max_answer_seconds)}`);
    parts.push(`${q.retakes} retake${Number(q.retakes) === 1 ? "" : "s"}`);
  }
  if (q.has_video || q.video_url) parts.push("with a video");
  return parts.join(" · ");
}

/** A saved question's "Save to library" button, with what became of it. */
export function SaveToLibrary({ interviewId, question, index }) {
  const [done, setDone] = useState(false);
  const keep = useAction(async () => {
    await authed("/questions/library", {
      method: "POST",
      body: { interview_id: interviewId, question_id: question.question_id },
    });
    setDone(true);
  });
  return html`<button type="button" class="secondary small" id=${`q-${index}-keep`} disabled=${keep.busy || done}
      onClick=${() => keep.run()} aria-describedby=${`q-${index}-keep-status`}>
      ${done ? "In the library" : "Save to library"}</button>
    <span class="meta" id=${`q-${index}-keep-status`} role="status">
      ${done && "Kept in the question library as last saved."}
      ${keep.error && html`<span class="error">${keep.error.message}</span>`}
    </span>`;
}

/** The editor's list of library questions to add to the interview. */
export function LibraryPicker({ onPick, onClose }) {
  const state = useLoad(() => authed("/questions/library"), []);
  const pick = (entry) =>
    onPick({
      text: entry.text,
      answer_type: entry.answer_type,
      think_seconds: entry.think_seconds,
      max_answer_seconds: entry.max_answer_seconds,
      retakes: entry.retakes,
      from_library: entry.has_video ? entry.entry_id : null,
      video_url: entry.video_url,
      video_poster_url: entry.video_poster_url,
    });
  return html`<section class="library-picker" id="library-picker" aria-labelledby="library-picker-title">
    <div class="actions between">
      <h3 id="library-picker-title">Question library</h3>
      <button type="button" class="secondary small" onClick=${onClose}>Close</button>
    </div>
    <${Loading} state=${state}>
      ${() =>
        state.data.questions.length === 0
          ? html`<p class="meta">The library is empty. Use “Save to library” on a saved question to keep it here.</p>`
          : html`<ul class="plain library-list">
              ${state.data.questions.map(
                (entry) => html`<li data-entry=${entry.entry_id}>
                  <div>
                    <p class="prose">${entry.text}</p>
                    <p class="meta">${describeQuestion(entry)}</p>
                  </div>
                  <button type="button" class="secondary small" onClick=${() => pick(entry)}
                    aria-label=${`Add “${entry.text.slice(0, 80)}” to this interview`}>Add</button>
                </li>`,
              )}
            </ul>`}
    <//>
  </section>`;
}

/** The library page: every kept question; admins may delete. */
export function LibraryPage({ isAdmin }) {
  const state = useLoad(() => authed("/questions/library"), []);
  const [flash, setFlash] = useState("");
  const remove = useAction(async (entry) => {
    if (!window.confirm("Delete this question from the library? Interviews that use it keep their own copy.")) return;
    await authed(`/questions/library/${encodeURIComponent(entry.entry_id)}`, { method: "DELETE" });
    setFlash("Deleted from the library.");
    state.reload();
  });
  return html`<main class="page" id="library-page">
    <h1>Question library</h1>
    <p class="meta">Questions kept to reuse: open an interview's editor and choose “Add from the question library”.
      ${isAdmin ? " To keep a question, use “Save to library” beside it in the editor." : ""}</p>
    ${flash && html`<p class="ok" role="status">${flash}</p>`}
    <${ErrorBox} error=${remove.error} />
    <${Loading} state=${state}>
      ${() =>
        state.data.questions.length === 0
          ? html`<p class="card empty">No questions in the library yet.</p>`
          : html`<ul class="plain card library-list" id="library-list">
              ${state.data.questions.map(
                (entry) => html`<li data-entry=${entry.entry_id}>
                  <div>
                    <p class="prose"><strong>${entry.text}</strong></p>
                    <p class="meta">${describeQuestion(entry)} · kept ${formatDate(entry.created_at)}</p>
                    ${entry.video_url && html`<video class="question-video-preview" src=${entry.video_url} poster=${entry.video_poster_url || undefined}
                      controls playsinline preload="metadata" aria-label="Video of this library question"></video>`}
                  </div>
                  ${isAdmin &&
                  html`<button type="button" class="secondary small danger" disabled=${remove.busy} onClick=${() => remove.run(entry)}
                    aria-label=${`Delete “${entry.text.slice(0, 80)}” from the library`}>Delete</button>`}
                </li>`,
              )}
            </ul>`}
    <//>
  </main>`;
}
