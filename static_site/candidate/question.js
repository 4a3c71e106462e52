// One interview question: read it (and watch its video), think, record, review, save.
// Recording and uploading overlap: every second of video is on its way to S3 while the
// candidate is still talking, so "stop" to "saved" is the last second or so, not the whole file.
import { announce, formatBytes, formatSeconds, h, progressBar, show, spokenSeconds } from "./dom.js";
import { ChunkRecorder, pickMimeType, watchLevel } from "./media.js";
import { AttemptUpload } from "./uploader.js";

const ANSWERED = new Set(["uploaded", "processing", "ready"]);
const TIMESLICE_MS = 1000;

export function isAnswered(question) {
  const answer = question.answer;
  if (!answer) return false;
  if (question.answer_type === "text") return Boolean(answer.text);
  return ANSWERED.has(answer.status);
}

// The upload panel: a progress bar of bytes uploaded / recorded and what is happening in
// words. Phase changes (not every part) are announced to screen readers.
export function uploadPanel(upload) {
  const bar = progressBar("Upload progress");
  const words = h("p", { class: "upload-words", "data-upload-status": "" });
  const bytes = h("p", { class: "meta" });
  const panel = h("div", { class: "upload-panel" }, words, bar.el, bytes);
  let lastPhase = null;
  const render = () => {
    panel.dataset.phase = upload.phase;
    words.textContent = upload.describe();
    words.className = `upload-words ${upload.phase === "failed" ? "error" : upload.phase === "saved" ? "ok" : ""}`;
    bar.set(upload.uploadedBytes, upload.recordedBytes);
    bytes.textContent = `${formatBytes(upload.uploadedBytes)} of ${formatBytes(upload.recordedBytes)} uploaded`;
    if (upload.phase !== lastPhase) {
      if (upload.phase === "retrying") announce("Connection lost. We'll keep trying; don't close this page.");
      if (upload.phase === "saved") announce("Your answer is saved.");
      if (upload.phase === "failed") announce(upload.message);
      lastPhase = upload.phase;
    }
  };
  const onChange = () => (panel.isConnected ? render() : upload.removeEventListener("change", onChange));
  upload.addEventListener("change", onChange);
  render();
  return panel;
}

// `resumed`: an upload picked up again after a reload, to show in its review state.
export function questionView(app, question, resumed = null) {
  if (question.answer_type === "text") return textQuestion(app, question);
  return recordedQuestion(app, question, resumed);
}

function questionHeader(app, question) {
  const total = app.session.questions.length;
  const bar = progressBar(`Question ${question.position} of ${total}`);
  bar.set(question.position - 1, total);
  const kind = { video: "Video answer", audio: "Audio answer", text: "Written answer" }[question.answer_type];
  return [
    h("p", { class: "step" }, `Question ${question.position} of ${total} · ${kind}`),
    bar.el,
    h("h1", { class: "question-text", text: question.text }),
    question.video_url
      ? h("video", { class: "question-video", src: question.video_url, controls: true, playsinline: true, preload: "metadata", "aria-label": "Video of the question" })
      : null,
  ];
}

const pauseNote = () =>
  h("p", { class: "meta" }, "Need a break? Once an answer is saved you can close this page and open the same link later: you will continue from the next question.");

function textQuestion(app, question) {
  const draftKey = `oneway-draft/${app.owner}/${question.question_id}`;
  const limit = question.max_text_length || 5000;
  const saved = question.answer && question.answer.text;
  const area = h("textarea", { id: "text-answer", rows: "8", maxlength: String(limit), "aria-describedby": "text-count" });
  area.value = saved || localStorage.getItem(draftKey) || "";
  const count = h("p", { id: "text-count", class: "meta" });
  const message = h("p", { class: "message", role: "alert" });
  const button = h("button", { type: "submit" }, "Save answer and continue");
  const updateCount = () => { count.textContent = `${area.value.length} of ${limit} characters`; };
  area.addEventListener("input", () => {
    updateCount();
    try { localStorage.setItem(draftKey, area.value); } catch { /* storage full: the textarea still holds it */ }
  });
  updateCount();
  const form = h("form", { class: "card", novalidate: true },
    ...questionHeader(app, question),
    h("label", { for: "text-answer" }, "Your answer"),
    area, count, message,
    h("div", { class: "actions" }, button),
    pauseNote(),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = area.value.trim();
    if (!text) {
      message.textContent = "Please write your answer before continuing.";
      area.focus();
      return;
    }
    button.disabled = true;
    button.textContent = "Saving…";
    try {
      question.answer = await app.call("PUT", `/candidate/questions/${encodeURIComponent(question.question_id)}/text`, { text });
      localStorage.removeItem(draftKey);
      announce("Your answer is saved.");
      app.next();
    } catch (error) {
      message.textContent = error.message;
      button.disabled = false;
      button.textContent = "Save answer and continue";
    }
  });
  show(form);
}

function recordedQuestion(app, question, resumed) {
  const audioOnly = question.answer_type === "audio";
  const qid = question.question_id;
  const isLast = app.session.questions.every((q) => q === question || isAnswered(q));
  // (isLast only names the button; the next step is always decided from a fresh session.)
  const preview = h("video", { class: "preview", muted: true, autoplay: true, playsinline: true, "aria-label": "Your camera" });
  const level = h("div", { class: "level" }, h("div", { class: "level-fill" }));
  const stage = h("div", { class: "stage" });
  const timer = h("p", { class: "timer", "aria-hidden": "true" });
  const rec = h("p", { class: "rec", hidden: true }, h("span", { class: "rec-dot", "aria-hidden": "true" }), "Recording");
  const status = h("p", { class: "status-line" });
  const message = h("p", { class: "message", role: "alert" });
  const controls = h("div", { class: "actions" });
  const uploadSlot = h("div");
  const attemptsLine = h("p", { class: "meta" });
  let stopLevel = () => {};
  let clock = 0;

  const limits = () => {
    const think = question.think_seconds ? `Think time: ${spokenSeconds(question.think_seconds)}` : "Think time: as long as you need";
    const left = question.attempts_left;
    attemptsLine.textContent = `${think} · Answer: up to ${spokenSeconds(question.max_answer_seconds)} · ${left} attempt${left === 1 ? "" : "s"} left`;
  };
  limits();

  const view = h("section", { class: "card" },
    ...questionHeader(app, question),
    attemptsLine, stage, rec, timer, status, controls, message, uploadSlot, pauseNote());

  const cleanup = () => { window.clearInterval(clock); stopLevel(); stopLevel = () => {}; };
  const setControls = (...buttons) => controls.replaceChildren(...buttons.filter(Boolean));

  const showLive = () => {
    const stream = app.stream;
    if (audioOnly) {
      stage.replaceChildren(h("p", { class: "meta" }, "Audio only: your camera is not used for this answer."), level);
      stopLevel();
      stopLevel = watchLevel(stream, (v) => { level.firstChild.style.width = `${Math.round(v * 100)}%`; });
    } else {
      preview.srcObject = stream;
      stage.replaceChildren(preview);
      preview.play().catch(() => {});
    }
  };

  // --- think time --------------------------------------------------------------------
  const think = () => {
    cleanup();
    showLive();
    timer.hidden = false;
    rec.hidden = true;
    uploadSlot.replaceChildren();
    if (question.attempts_left <= 0) {
      noAttemptsLeft();
      return;
    }
    const start = h("button", { type: "button", "data-action": "start", onclick: () => startRecording() }, "Start recording");
    if (!question.think_seconds) {
      timer.textContent = "";
      status.textContent = "Take your time. Start recording when ready.";
      setControls(start);
      return;
    }
    start.textContent = "Start recording now";
    let remaining = question.think_seconds;
    const tick = () => {
      timer.textContent = `Recording starts in ${formatSeconds(remaining)}`;
      if (remaining === 10 && question.think_seconds > 15) announce("10 seconds until recording starts.");
      if (remaining <= 0) startRecording();
    };
    status.textContent = `Read the question and think. Recording starts by itself after ${spokenSeconds(remaining)}, or press the button when you are ready.`;
    announce(`You have ${spokenSeconds(remaining)} to think. Recording starts by itself when the time is up.`);
    setControls(start);
    tick();
    clock = window.setInterval(() => { remaining -= 1; tick(); }, 1000);
  };

  const noAttemptsLeft = () => {
    status.textContent = "";
    const contact = app.session.interview.support_contact;
    message.textContent = `You have used every attempt for this question.${contact ? ` Please contact ${contact} for help.` : ""}`;
    setControls();
  };

  // --- recording ---------------------------------------------------------------------
  let starting = false;
  const startRecording = async () => {
    if (starting) return;
    starting = true;
    cleanup();
    message.textContent = "";
    timer.textContent = "";
    status.textContent = "Getting ready to record…";
    setControls(h("button", { type: "button", disabled: true }, "Starting…"));
    const mimeType = pickMimeType(audioOnly ? "audio" : "video");
    const begin = () => app.call("POST", `/candidate/questions/${encodeURIComponent(qid)}/attempts`, { mime_type: mimeType });
    let reply;
    try {
      try {
        reply = await begin();
      } catch (error) {
        if (error.status !== 409) throw error;
        // The count may have moved under us (the media worker gives a failed recording's
        // attempt back): if the server still says attempts are left, try once more.
        const fresh = await app.call("GET", "/candidate/session").catch(() => null);
        const now = fresh && fresh.questions.find((q) => q.question_id === qid);
        if (!now || now.attempts_left <= 0) throw error;
        reply = await begin();
      }
    } catch (error) {
      starting = false;
      if (error.status === 409) question.attempts_left = 0;
      status.textContent = "";
      message.textContent = error.message;
      think();
      return;
    }
    question.attempts_left = Math.max(0, question.attempts_left - 1);
    limits();
    const upload = new AttemptUpload({ store: app.store, call: app.call, owner: app.owner, questionId: qid, attempt: reply.attempt, mimeType, grant: reply.upload });
    await upload.begin().catch(() => { app.store.persistent = false; });
    app.track(upload);
    const source = audioOnly ? new MediaStream(app.stream.getAudioTracks()) : app.stream;
    const recorder = new ChunkRecorder(source, mimeType, { timeslice: TIMESLICE_MS, onChunk: (i, blob) => upload.addChunk(i, blob) });
    recorder.start();
    starting = false;
    const limit = question.max_answer_seconds;
    const began = performance.now();
    rec.hidden = false;
    status.textContent = "";
    uploadSlot.replaceChildren(uploadPanel(upload));
    const stop = h("button", { type: "button", class: "stop", "data-action": "stop", onclick: () => finish() }, "Stop recording");
    setControls(stop);
    stop.focus();
    announce(`Recording. You have up to ${spokenSeconds(limit)}.`);
    const announced = new Set();
    const tick = () => {
      const elapsed = (performance.now() - began) / 1000;
      const left = limit - elapsed;
      timer.textContent = `${formatSeconds(elapsed)} / ${formatSeconds(limit)}`;
      for (const mark of [60, 30, 10]) {
        if (limit > mark * 2 && left <= mark && !announced.has(mark)) {
          announced.add(mark);
          announce(`${spokenSeconds(mark)} left.`);
        }
      }
      if (left <= 0) finish();
    };
    let finishing = false;
    const finish = async () => {
      if (finishing) return;
      finishing = true;
      upload.stopClickedAt = performance.now(); // "stop" to "saved" is measured from here
      cleanup();
      rec.hidden = true;
      setControls(h("button", { type: "button", disabled: true }, "Stopping…"));
      const count = await recorder.stop();
      announce("Recording stopped. We are saving your answer.");
      upload.stop(count).catch(() => {});
      review(upload, recorder.blob());
    };
    tick();
    clock = window.setInterval(tick, 250);
  };

  // --- review ------------------------------------------------------------------------
  const review = (upload, blob) => {
    cleanup();
    timer.textContent = "";
    rec.hidden = true;
    if (blob) {
      const url = URL.createObjectURL(blob);
      const playback = audioOnly
        ? h("audio", { class: "playback", src: url, controls: true, "aria-label": "Play back your answer" })
        : h("video", { class: "playback preview", src: url, controls: true, playsinline: true, "aria-label": "Play back your answer" });
      stage.replaceChildren(h("p", { class: "meta" }, "Watch or listen to your answer. It is being saved while you do."), playback);
    } else {
      stage.replaceChildren(h("p", { class: "meta" }, upload.resumed
        ? "This page was closed or reloaded while you were recording. We are saving what was recorded until then."
        : "We are saving the answer you recorded before this page was reloaded."));
    }
    uploadSlot.replaceChildren(uploadPanel(upload));
    const next = h("button", { type: "button", "data-action": "next", disabled: true, onclick: () => { cleanup(); app.next(); } }, isLast ? "Continue to finish" : "Next question");
    const again = question.attempts_left > 0
      ? h("button", { type: "button", class: "secondary", "data-action": "rerecord", onclick: () => think() },
        `Record again (${question.attempts_left} ${question.attempts_left === 1 ? "try" : "tries"} left)`)
      : null;
    status.textContent = again ? "Happy with it? Continue. Want another go? Your new recording replaces this one." : "This is your final recording for this question.";
    setControls(next, again);
    const refresh = () => {
      if (!view.isConnected) return;
      if (upload.phase === "saved") {
        next.disabled = false;
        question.answer = upload.answer || { attempt: upload.attempt, status: "uploaded" };
      }
      if (upload.phase === "failed") {
        message.textContent = question.attempts_left > 0 ? `${upload.message} Press “Record again”.` : upload.message;
      }
    };
    upload.addEventListener("change", refresh);
    refresh();
  };

  show(view);

  // Where to begin: an upload still under way (after a reload), a failed answer, or fresh.
  const pending = app.uploads.get(qid);
  const inFlight = pending && !["saved", "failed"].includes(pending.phase) ? pending : null;
  if (resumed || inFlight) {
    showLive();
    review(resumed || inFlight, null);
  } else if (question.answer && question.answer.status === "failed") {
    think();
    message.textContent = question.answer.error_message || "We could not use your last recording. Please record it again.";
  } else if (question.answer && question.answer.status === "recording" && question.attempts_left > 0) {
    think();
    message.textContent = "Your last recording for this question did not finish uploading. Please record it again.";
  } else {
    think();
  }
}
