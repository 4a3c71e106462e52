// One interview question: read it (and watch its video), think, record, review, save.
// Recording and uploading overlap: every second of video is on its way to S3 while the
// candidate is still talking, so "stop" to "saved" is the last second or so, not the whole file.
// The server holds the think time: a question's text arrives when the page opens it (the
// candidate reached it by pressing a button), the server stores when, and the countdown runs
// from the seconds it says are left, so a reload continues the countdown, never restarts it.
import { language, t } from "/shared/i18n.js";
import { announce, formatBytes, formatSeconds, h, progressBar, show, spokenSeconds } from "./dom.js";
import { ChunkRecorder, pickMimeType, watchLevel } from "./media.js";
import { AttemptUpload } from "./uploader.js";
import { nextBitrate } from "./bitrate.js";

const ANSWERED = new Set(["uploaded", "processing", "ready"]);
const TIMESLICE_MS = 1000;
// After an interruption the site waits for the worker to turn what was saved into a playable
// answer, asking every couple of seconds for at most a few minutes.
const PROCESSING_POLL_MS = 2000;
const PROCESSING_POLLS = 90;

// Starting a recording is retried on a dropped connection or a server hiccup, a little
// later each time, with the same key: the server hands back the attempt it already opened.
const START_TRIES = 3;
const START_RETRY_MS = 1000;

// Server wording is English: other languages show their own sentence for the situation.
function serverText(error, key) {
  return language() === "en" && error && error.message ? error.message : t(key);
}

const sleep = (ms) => new Promise((resolve) => window.setTimeout(resolve, ms));

// A fresh key for a recording the candidate starts (the API's `client_attempt_id`).
function newAttemptKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

const thinkTimeOver = (error) => error.status === 409
  && (error.details || []).some((d) => d.problem === "think_time_over");

export function isAnswered(question) {
  const answer = question.answer;
  if (!answer) return false;
  if (question.answer_type === "text") return Boolean(answer.text);
  return ANSWERED.has(answer.status);
}

// An upload's failure in words: the server's (English) reason, or the language's own sentence.
function failure(upload) {
  return language() === "en" && upload.message ? upload.message : t("upload.failed");
}

// What is happening to an upload, in plain words, shown next to the progress bar.
function describe(upload) {
  const parts = t("upload.parts", { count: upload.recordedParts, uploaded: upload.uploadedParts });
  switch (upload.phase) {
    case "recording":
      return t("upload.recording", { parts });
    case "uploading":
      return t("upload.uploading", { parts });
    case "retrying":
      return t("upload.retrying");
    case "finalising":
      return t("upload.finalising");
    case "saved":
      return t("upload.saved");
    default:
      return failure(upload);
  }
}

// The upload panel: a progress bar of bytes uploaded / recorded and what is happening in
// words. Phase changes (not every part) are announced to screen readers.
export function uploadPanel(upload) {
  const bar = progressBar(t("upload.progress"));
  const words = h("p", { class: "upload-words", "data-upload-status": "" });
  const bytes = h("p", { class: "meta" });
  const panel = h("div", { class: "upload-panel" }, words, bar.el, bytes);
  let lastPhase = null;
  const render = () => {
    panel.dataset.phase = upload.phase;
    words.textContent = describe(upload);
    words.className = `upload-words ${upload.phase === "failed" ? "error" : upload.phase === "saved" ? "ok" : ""}`;
    bar.set(upload.uploadedBytes, upload.recordedBytes);
    bytes.textContent = t("upload.bytes", { uploaded: formatBytes(upload.uploadedBytes), recorded: formatBytes(upload.recordedBytes) });
    if (upload.phase !== lastPhase) {
      if (upload.phase === "retrying") announce(t("upload.announce.retrying"));
      if (upload.phase === "saved") announce(t("upload.announce.saved"));
      if (upload.phase === "failed") announce(failure(upload));
      lastPhase = upload.phase;
    }
  };
  const onChange = () => (panel.isConnected ? render() : upload.removeEventListener("change", onChange));
  upload.addEventListener("change", onChange);
  render();
  return panel;
}

// Ask the server until the attempt is ready or failed (the media worker runs on its own).
// Resolves with the attempt's answer view, or null when it took too long or the page moved on.
export async function settledAnswer(app, questionId, attempt, isWanted = () => true) {
  for (let poll = 0; poll < PROCESSING_POLLS && isWanted(); poll += 1) {
    const session = await app.call("GET", "/candidate/session").catch(() => null);
    const question = session && session.questions.find((q) => q.question_id === questionId);
    const answer = question && question.answer;
    if (answer && answer.attempt === attempt && ["ready", "failed"].includes(answer.status)) {
      return { answer, question };
    }
    // A failed retake leaves the earlier answer standing: it is named beside it.
    if (answer && answer.retake_failed && answer.retake_failed.attempt === attempt) {
      return { answer: { attempt, status: "failed", error_message: answer.retake_failed.error_message }, question };
    }
    await sleep(PROCESSING_POLL_MS);
  }
  return null;
}

// A player for an answer the server keeps (short-lived link from the session).
function keptPlayer(answer, audioOnly) {
  return audioOnly
    ? h("audio", { class: "playback", src: answer.media_url, controls: true, "aria-label": t("question.playSaved") })
    : h("video", { class: "playback preview", src: answer.media_url, poster: answer.poster_url || null, controls: true, playsinline: true, preload: "metadata", "aria-label": t("question.playSaved") });
}

// `resumed`: an upload picked up again after a reload, to show what was kept.
export function questionView(app, question, resumed = null) {
  if (!question.opened) return openQuestion(app, question, resumed);
  if (question.missed) return missedQuestion(app, question);
  if (question.answer_type === "text") return textQuestion(app, question);
  return recordedQuestion(app, question, resumed);
}

// The server's think time left, counted down from when its reply arrived (null: no limit).
function thinkLeft(question) {
  if (question.think_seconds_left === null || question.think_seconds_left === undefined) return null;
  const since = (performance.now() - (question.receivedAt || performance.now())) / 1000;
  return Math.max(0, question.think_seconds_left - since);
}

// The server stamps when a question was first opened and answers with its text, video and
// the think time left; opening it again (after a reload) gives the same, never a fresh start.
async function openQuestion(app, question, resumed) {
  const total = app.session.questions.length;
  const message = h("p", { class: "message", role: "alert" });
  const actions = h("div", { class: "actions" });
  const card = h("section", { class: "card", "data-view": "opening" },
    h("p", { class: "step" }, t("question.position", { position: question.position, total })),
    h("h1", {}, t("question.opening")),
    message, actions);
  show(card);
  try {
    const opened = await app.call("POST", `/candidate/questions/${encodeURIComponent(question.question_id)}/open`);
    Object.assign(question, opened, { receivedAt: performance.now() });
  } catch (error) {
    message.textContent = serverText(error, "errors.generic.message");
    actions.replaceChildren(h("button", { type: "button", "data-action": "retry-open", onclick: () => openQuestion(app, question, resumed) }, t("errors.tryAgain")));
    return;
  }
  if (card.isConnected) questionView(app, question, resumed);
}

// Think time ran out before a recording started (the page was closed meanwhile): the server
// no longer takes a recording for it. The candidate reads why and moves on.
export function missedQuestion(app, question, reason = null) {
  const total = app.session.questions.length;
  app.missedShown.add(question.question_id);
  const next = h("button", { type: "button", "data-action": "next", onclick: () => app.next() }, t("question.continue"));
  show(h("section", { class: "card", "data-view": "missed" },
    h("p", { class: "step" }, t("question.position", { position: question.position, total })),
    h("h1", { class: "question-text", text: question.text || "" }),
    h("p", { class: "message", role: "alert", "data-missed": "" }, reason || t("question.missed")),
    h("div", { class: "actions" }, next)));
}

function questionHeader(app, question) {
  const total = app.session.questions.length;
  const bar = progressBar(t("question.position", { position: question.position, total }));
  bar.set(question.position - 1, total);
  const kind = t(`question.kind.${question.answer_type}`);
  return [
    h("p", { class: "step" }, t("question.positionKind", { position: question.position, total, kind })),
    bar.el,
    h("h1", { class: "question-text", text: question.text }),
    question.video_url
      ? h("video", { class: "question-video", src: question.video_url, poster: question.video_poster_url, controls: true, playsinline: true, preload: "metadata", "aria-label": t("question.videoLabel") })
      : null,
  ];
}

const pauseNote = () =>
  h("p", { class: "meta" }, t("question.pause"));

function textQuestion(app, question) {
  const draftKey = `oneway-draft/${app.owner}/${question.question_id}`;
  const limit = question.max_text_length || 5000;
  const saved = question.answer && question.answer.text;
  const area = h("textarea", { id: "text-answer", rows: "8", maxlength: String(limit), "aria-describedby": "text-count" });
  area.value = saved || localStorage.getItem(draftKey) || "";
  const count = h("p", { id: "text-count", class: "meta" });
  const message = h("p", { class: "message", role: "alert" });
  const button = h("button", { type: "submit" }, t("text.save"));
  const updateCount = () => { count.textContent = t("text.count", { count: limit, used: area.value.length }); };
  area.addEventListener("input", () => {
    updateCount();
    try { localStorage.setItem(draftKey, area.value); } catch { /* storage full: the textarea still holds it */ }
  });
  updateCount();
  const form = h("form", { class: "card", novalidate: true },
    ...questionHeader(app, question),
    h("label", { for: "text-answer" }, t("text.label")),
    area, count, message,
    h("div", { class: "actions" }, button),
    pauseNote(),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = area.value.trim();
    if (!text) {
      message.textContent = t("text.empty");
      area.focus();
      return;
    }
    button.disabled = true;
    button.textContent = t("text.saving");
    try {
      question.answer = await app.call("PUT", `/candidate/questions/${encodeURIComponent(question.question_id)}/text`, { text });
      localStorage.removeItem(draftKey);
      announce(t("upload.announce.saved"));
      app.next();
    } catch (error) {
      message.textContent = serverText(error, "errors.generic.message");
      button.disabled = false;
      button.textContent = t("text.save");
    }
  });
  show(form);
}

function recordedQuestion(app, question, resumed) {
  const audioOnly = question.answer_type === "audio";
  const qid = question.question_id;
  const isLast = app.session.questions.every((q) => q === question || isAnswered(q));
  // (isLast only names the button; the next step is always decided from a fresh session.)
  const preview = h("video", { class: "preview", muted: true, autoplay: true, playsinline: true, "aria-label": t("question.camera") });
  const level = h("div", { class: "level" }, h("div", { class: "level-fill" }));
  const stage = h("div", { class: "stage" });
  const timer = h("p", { class: "timer", "aria-hidden": "true" });
  const rec = h("p", { class: "rec", hidden: true }, h("span", { class: "rec-dot", "aria-hidden": "true" }), t("record.recording"));
  const status = h("p", { class: "status-line" });
  const message = h("p", { class: "message", role: "alert" });
  const controls = h("div", { class: "actions" });
  const uploadSlot = h("div");
  const attemptsLine = h("p", { class: "meta" });
  let stopLevel = () => {};
  let clock = 0;

  const limits = () => {
    const think = question.think_seconds ? t("record.limits.think", { time: spokenSeconds(question.think_seconds) }) : t("record.limits.thinkAny");
    attemptsLine.textContent = t("record.limits", { think, answer: spokenSeconds(question.max_answer_seconds), left: t("record.attemptsLeft", { count: question.attempts_left }) });
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
      stage.replaceChildren(h("p", { class: "meta" }, t("record.audioOnly")), level);
      stopLevel();
      stopLevel = watchLevel(stream, (v) => { level.firstChild.style.width = `${Math.round(v * 100)}%`; });
    } else {
      preview.srcObject = stream;
      stage.replaceChildren(preview);
      preview.play().catch(() => {});
    }
  };

  // --- think time --------------------------------------------------------------------
  // `auto: false` after an interruption (a reload, a failed or lost recording): nothing
  // counts down until the candidate presses a button.
  const think = ({ auto = true } = {}) => {
    cleanup();
    showLive();
    timer.hidden = false;
    rec.hidden = true;
    uploadSlot.replaceChildren();
    if (question.attempts_left <= 0) {
      noAttemptsLeft();
      return;
    }
    const start = h("button", { type: "button", "data-action": "start", onclick: () => startRecording() }, t("record.start"));
    if (!question.think_seconds) {
      timer.textContent = "";
      status.textContent = t("record.takeYourTime");
      setControls(start);
      return;
    }
    const held = thinkLeft(question);
    if (!auto && held === null) {
      timer.textContent = "";
      status.textContent = t("record.notUntilReady", { time: spokenSeconds(question.think_seconds) });
      const ready = h("button", { type: "button", "data-action": "ready", onclick: () => { message.textContent = ""; think(); } }, t("record.ready"));
      start.textContent = t("record.startNow");
      start.className = "secondary";
      setControls(ready, start);
      return;
    }
    start.textContent = t("record.startNow");
    // The first recording: the server's clock, which kept running through any reload. A
    // retake: the candidate's own countdown, from the full think time.
    const began = performance.now();
    const remaining = () => (held === null
      ? question.think_seconds - Math.floor((performance.now() - began) / 1000)
      : Math.ceil(thinkLeft(question)));
    let announcedTen = remaining() <= 10; // told already, or too short to say
    const tick = () => {
      const left = remaining();
      timer.textContent = t("record.startsIn", { time: formatSeconds(left) });
      if (left <= 10 && !announcedTen && question.think_seconds > 15) {
        announcedTen = true;
        announce(t("record.announce.ten"));
      }
      // After a start that failed, nothing starts by itself again: the candidate presses.
      if (left <= 0 && auto) startRecording();
    };
    const resumedThinking = held !== null && held < question.think_seconds - 2;
    status.textContent = resumedThinking
      ? t("record.thinkKeptRunning", { time: spokenSeconds(Math.ceil(held)) })
      : t("record.think", { time: spokenSeconds(remaining()) });
    announce(t("record.announce.think", { time: spokenSeconds(remaining()) }));
    setControls(start);
    tick();
    clock = window.setInterval(tick, 250);
  };

  const noAttemptsLeft = () => {
    status.textContent = "";
    const contact = app.session.interview.support_contact;
    message.textContent = contact ? t("record.noAttemptsContact", { contact }) : t("record.noAttempts");
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
    status.textContent = t("record.gettingReady");
    setControls(h("button", { type: "button", disabled: true }, t("record.starting")));
    const mimeType = pickMimeType(audioOnly ? "audio" : "video");
    // One key per recording, kept until the server has answered: a start whose reply was
    // lost (here or after the candidate presses the button again) is the same start, and
    // gets the attempt it already opened instead of using another one or a 409.
    const key = app.starts.get(qid) || newAttemptKey();
    app.starts.set(qid, key);
    const send = () => app.call("POST", `/candidate/questions/${encodeURIComponent(qid)}/attempts`, { mime_type: mimeType, client_attempt_id: key });
    const begin = async () => {
      for (let tries = 1; ; tries += 1) {
        try {
          return await send();
        } catch (error) {
          const transient = error.network || error.status >= 500;
          if (!transient || tries >= START_TRIES) throw error;
          await sleep(START_RETRY_MS * tries);
        }
      }
    };
    let reply;
    try {
      try {
        reply = await begin();
      } catch (error) {
        if (error.status !== 409 || thinkTimeOver(error)) throw error;
        // The count may have moved under us (the media worker gives a failed recording's
        // attempt back): if the server still says attempts are left, try once more.
        const fresh = await app.call("GET", "/candidate/session").catch(() => null);
        const now = fresh && fresh.questions.find((q) => q.question_id === qid);
        if (!now || now.attempts_left <= 0) throw error;
        reply = await begin();
      }
    } catch (error) {
      starting = false;
      if (thinkTimeOver(error)) {
        cleanup();
        question.missed = true;
        missedQuestion(app, question, serverText(error, "question.missed"));
        return;
      }
      // Still unanswered (offline): the next press sends this same start again.
      if (!(error.network || error.status >= 500)) app.starts.delete(qid);
      if (error.status === 409) question.attempts_left = 0;
      status.textContent = "";
      message.textContent = serverText(error, error.status === 409 ? "record.noAttempts" : "errors.generic.message");
      think({ auto: false });
      return;
    }
    app.starts.delete(qid); // answered: the next recording is a new start with a new key
    question.attempts_left = Math.max(0, question.attempts_left - 1);
    question.think_seconds_left = null; // a retake is not timed by the server
    limits();
    const bitrate = audioOnly
      ? { video: null, audio: app.bitrate.audioOnly || app.bitrate.audio }
      : { video: app.bitrate.video, audio: app.bitrate.audio };
    const upload = new AttemptUpload({ store: app.store, call: app.call, owner: app.owner, questionId: qid, attempt: reply.attempt, mimeType, grant: reply.upload, bitrate });
    await upload.begin().catch(() => { app.store.persistent = false; });
    app.track(upload);
    const source = audioOnly ? new MediaStream(app.stream.getAudioTracks()) : app.stream;
    const recorder = new ChunkRecorder(source, mimeType, {
      timeslice: TIMESLICE_MS,
      onChunk: (i, blob) => upload.addChunk(i, blob),
      videoBitsPerSecond: bitrate.video || undefined,
      audioBitsPerSecond: bitrate.audio,
    });
    recorder.start();
    view.dataset.bitrate = String(bitrate.video || bitrate.audio);
    starting = false;
    const limit = question.max_answer_seconds;
    const began = performance.now();
    rec.hidden = false;
    status.textContent = "";
    uploadSlot.replaceChildren(uploadPanel(upload));
    const stop = h("button", { type: "button", class: "stop", "data-action": "stop", onclick: () => finish() }, t("record.stop"));
    setControls(stop);
    stop.focus();
    announce(t("record.announce.recording", { time: spokenSeconds(limit) }));
    const announced = new Set();
    const tick = () => {
      const elapsed = (performance.now() - began) / 1000;
      const left = limit - elapsed;
      timer.textContent = `${formatSeconds(elapsed)} / ${formatSeconds(limit)}`;
      for (const mark of [60, 30, 10]) {
        if (limit > mark * 2 && left <= mark && !announced.has(mark)) {
          announced.add(mark);
          announce(t("record.announce.left", { time: spokenSeconds(mark) }));
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
      setControls(h("button", { type: "button", disabled: true }, t("record.stopping")));
      const count = await recorder.stop();
      // Some browsers (WebKitGTK on Linux) start a video recording but deliver no data:
      // tell the candidate what to do instead of waiting for an upload that never comes.
      if (!audioOnly && count === 0) {
        app.store.deleteAttempt(upload.id).catch(() => {});
        stage.replaceChildren();
        uploadSlot.replaceChildren();
        timer.textContent = "";
        status.textContent = "";
        message.textContent = t("record.videoUnsupported");
        message.dataset.videoUnsupported = "";
        setControls();
        return;
      }
      await Promise.all(upload.writes); // every chunk counted before the backlog is read
      // What the uplink left unsent during this recording sets the next one's bitrate.
      const seconds = (upload.stopClickedAt - began) / 1000;
      const backlogBytes = upload.recordedBytes - upload.uploadedBytes;
      upload.backlogAtStop = backlogBytes;
      if (!audioOnly) app.bitrate = nextBitrate(app.bitrate, { recordedBytes: upload.recordedBytes, backlogBytes, seconds });
      announce(t("record.announce.stopped"));
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
        ? h("audio", { class: "playback", src: url, controls: true, "aria-label": t("review.playback") })
        : h("video", { class: "playback preview", src: url, controls: true, playsinline: true, "aria-label": t("review.playback") });
      stage.replaceChildren(h("p", { class: "meta" }, t("review.watch")), playback);
    } else {
      stage.replaceChildren(h("p", { class: "meta" }, upload.resumed
        ? t("review.cutOff")
        : t("review.beforeReload")));
    }
    uploadSlot.replaceChildren(uploadPanel(upload));
    const next = h("button", { type: "button", "data-action": "next", disabled: true, onclick: () => { cleanup(); app.next(); } }, isLast ? t("review.finish") : t("review.next"));
    const again = question.attempts_left > 0
      ? h("button", { type: "button", class: "secondary", "data-action": "rerecord", onclick: () => think() },
        t("review.again", { count: question.attempts_left }))
      : null;
    status.textContent = again ? t("review.happy") : t("review.final");
    setControls(next, again);
    const refresh = () => {
      if (!view.isConnected) return;
      if (upload.phase === "saved") {
        next.disabled = false;
        question.answer = upload.answer || { attempt: upload.attempt, status: "uploaded" };
      }
      if (upload.phase === "failed") {
        message.textContent = question.attempts_left > 0 ? t("review.failedAgain", { reason: failure(upload) }) : failure(upload);
      }
    };
    upload.addEventListener("change", refresh);
    refresh();
  };

  // --- after a reload: what was kept ----------------------------------------------------
  // The upload of a recording cut off by a reload (or stopped just before it) finishes in the
  // background; once the worker has made it playable the candidate sees and hears what was
  // saved, and keeps it or records again. Nothing starts counting down by itself.
  const recovered = (upload) => {
    cleanup();
    timer.textContent = "";
    rec.hidden = true;
    const saving = h("p", { class: "meta", "data-recovered": "saving" }, upload.resumed
      ? t("review.cutOff")
      : t("review.beforeReload"));
    stage.replaceChildren(saving);
    uploadSlot.replaceChildren(uploadPanel(upload));
    const next = h("button", { type: "button", "data-action": "next", disabled: true, onclick: () => { cleanup(); app.next(); } }, isLast ? t("recovered.keepFinish") : t("recovered.keepNext"));
    const again = () => (question.attempts_left > 0
      ? h("button", { type: "button", class: "secondary", "data-action": "rerecord", onclick: () => think() },
        t("review.again", { count: question.attempts_left }))
      : null);
    status.textContent = "";
    setControls(next, again());
    let watching = false;
    const present = (settled) => {
      if (!view.isConnected) return;
      if (!settled) {
        stage.replaceChildren(h("p", { class: "meta", "data-recovered": "waiting" }, t("recovered.preparing")));
        return;
      }
      const { answer, question: fresh } = settled;
      question.attempts_left = fresh.attempts_left;
      if (answer.status === "failed") {
        question.answer = fresh.answer;
        next.hidden = fresh.answer.status !== "ready";
        stage.replaceChildren();
        message.textContent = serverText({ message: answer.error_message }, "recovered.unusable");
        if (question.attempts_left <= 0) noAttemptsLeft();
        else setControls(next.hidden ? null : next, again());
        return;
      }
      question.answer = answer;
      // What plays back is what was kept: its length as the player will show it.
      const seconds = formatSeconds(Math.max(1, Math.floor(answer.duration_seconds || 0)));
      const words = answer.cut_short || upload.resumed
        ? t("recovered.savedPart", { time: seconds })
        : t("recovered.saved", { time: seconds });
      stage.replaceChildren(h("p", { class: "ok", "data-recovered": "ready" }, words), keptPlayer(answer, audioOnly));
      status.textContent = question.attempts_left > 0
        ? t("recovered.watchKeep")
        : t("recovered.watchFinal");
      announce(words);
      setControls(next, again());
    };
    const refresh = async () => {
      if (!view.isConnected) return;
      if (upload.phase === "failed") {
        message.textContent = question.attempts_left > 0 ? t("review.failedAgain", { reason: failure(upload) }) : failure(upload);
        return;
      }
      if (upload.phase !== "saved" || watching) return;
      watching = true;
      next.disabled = false;
      question.answer = upload.answer || { attempt: upload.attempt, status: "uploaded" };
      present(await settledAnswer(app, qid, upload.attempt, () => view.isConnected));
    };
    upload.addEventListener("change", refresh);
    refresh();
  };

  show(view);

  // Where to begin: an upload still under way (after a reload), a recording that was lost
  // or failed (the candidate presses a button to go again), or a fresh question.
  const pending = app.uploads.get(qid);
  const inFlight = pending && !["saved", "failed"].includes(pending.phase) ? pending : null;
  const answer = question.answer;
  if (resumed || inFlight) {
    showLive();
    recovered(resumed || inFlight);
  } else if (answer && answer.status === "failed") {
    think({ auto: false });
    message.textContent = serverText({ message: answer.error_message }, "recovered.lastUnusable");
  } else if (answer && answer.status === "recording" && question.attempts_left > 0) {
    think({ auto: false });
    message.textContent = t("recovered.notFinished");
  } else if (answer && answer.status === "recording") {
    // The last attempt was started in a tab that is gone: if it stored nothing, the server
    // releases it a few seconds after it started. Ask again rather than say "no attempts".
    cleanup();
    showLive();
    status.textContent = t("recovered.checking");
    setControls();
    (async () => {
      for (let poll = 0; poll < 10 && view.isConnected; poll += 1) {
        await sleep(PROCESSING_POLL_MS);
        const session = await app.call("GET", "/candidate/session").catch(() => null);
        const fresh = session && session.questions.find((q) => q.question_id === qid);
        if (fresh && (fresh.attempts_left > 0 || (fresh.answer || {}).status !== "recording")) {
          if (view.isConnected) questionView(app, fresh);
          return;
        }
      }
      if (view.isConnected) think({ auto: false });
    })();
  } else if (answer && answer.status === "released") {
    think({ auto: false });
    status.textContent = `${t("recovered.released")} ${status.textContent}`;
  } else if (answer && answer.retake_failed) {
    think({ auto: false });
    const reason = serverText({ message: answer.retake_failed.error_message }, "retake.damaged");
    message.textContent = t("retake.failed", { reason });
    if (answer.media_url) stage.replaceChildren(h("p", { class: "meta" }, t("retake.yourSaved")), keptPlayer(answer, audioOnly));
    const keep = () => { app.acknowledge(qid, answer.retake_failed.attempt); cleanup(); app.next(); };
    controls.append(h("button", { type: "button", class: "secondary", "data-action": "keep-earlier", onclick: keep }, t("retake.keep")));
  } else {
    think({ auto: !question.reopened });
  }
}
