// One recorded or written answer, as the review page and the share page show it.
import { useEffect } from "preact/hooks";
import { formatDuration, html } from "./ui.js";

export const SPEEDS = [1, 1.5, 2];

const PENDING = {
  uploading: "The candidate is still uploading this answer.",
  uploaded: "Preparing the recording for playback…",
  processing: "Preparing the recording for playback…",
  missing: "No answer was recorded for this question.",
  missed: "The candidate's think time ran out before they started recording, so this question has no answer.",
};

export function SpeedButtons({ speed, setSpeed }) {
  return html`<div class="speeds" role="group" aria-label="Playback speed">
    ${SPEEDS.map(
      (value) => html`<button type="button" class="secondary small" aria-pressed=${speed === value ? "true" : "false"}
        data-speed=${value} onClick=${() => setSpeed(value)}>${value}×</button>`,
    )}
  </div>`;
}

// A captions language's name for the track menu ("English", "Português"), in that language.
function languageName(language) {
  try {
    return new Intl.DisplayNames([language], { type: "language" }).of(language) || language;
  } catch {
    return language;
  }
}

// One <track> per WebVTT file the API lists beside the recording (`captions`, [] until
// captions exist); the first is on by default. The files come from the media bucket's origin,
// so the player asks for them with CORS.
function captionTracks(answer) {
  return (answer.captions || []).map(
    (track, i) => html`<track kind="captions" src=${track.url} srclang=${track.language}
      label=${languageName(track.language)} default=${i === 0} />`,
  );
}

/** `mediaRef` receives the <video>/<audio> element so the page can drive it from the keyboard. */
export function AnswerView({ answer, index, total, speed, setSpeed, mediaRef }) {
  const media = mediaRef || { current: null };
  useEffect(() => {
    if (media.current) media.current.playbackRate = speed;
  });
  const label = answer.position ? answer.position : index + 1;
  const ready = answer.status === "ready";
  let body;
  if (answer.answer_type === "text") {
    body = answer.text_answer
      ? html`<blockquote class="text-answer" data-text-answer>${answer.text_answer}</blockquote>`
      : html`<p class="meta">${PENDING[answer.status] || PENDING.missing}</p>`;
  } else if (ready && (answer.video_url || answer.audio_url)) {
    const onLoaded = (event) => {
      event.currentTarget.playbackRate = speed;
    };
    const tracks = captionTracks(answer);
    const cors = tracks.length ? "anonymous" : undefined;
    body = html`<div class="player">
      ${answer.video_url
        ? html`<video key=${answer.question_id} ref=${media} controls preload="metadata" playsinline
            src=${answer.video_url} poster=${answer.poster_url || undefined} onLoadedMetadata=${onLoaded}
            crossorigin=${cors} aria-label=${`Answer to question ${label}`}>${tracks}</video>`
        : html`<audio key=${answer.question_id} ref=${media} controls preload="metadata" src=${answer.audio_url}
            crossorigin=${cors} onLoadedMetadata=${onLoaded} aria-label=${`Answer to question ${label}`}>${tracks}</audio>`}
      <div class="player-bar">
        <${SpeedButtons} speed=${speed} setSpeed=${setSpeed} />
        ${answer.duration_seconds ? html`<span class="meta">${formatDuration(answer.duration_seconds)}</span>` : ""}
        ${answer.attempt > 1 ? html`<span class="meta">Take ${answer.attempt}</span>` : ""}
      </div>
    </div>`;
  } else if (answer.status === "failed") {
    body = html`<p class="error">This recording could not be processed${answer.error_message ? html`: ${answer.error_message}` : "."}</p>`;
  } else {
    body = html`<p class="meta pending" aria-live="polite">${PENDING[answer.status] || PENDING.missing}</p>`;
  }
  return html`<article class="answer" data-question=${answer.question_id} data-status=${answer.status || "missing"}>
    <p class="meta question-count">Question ${label}${total ? ` of ${total}` : ""} · ${answer.answer_type}</p>
    <h2 class="question-text">${answer.text}</h2>
    ${body}
  </article>`;
}
