// The candidate recording site: landing → device check → practice → questions → done.
// The token lives in the URL fragment, which browsers never send to servers or in Referer;
// it goes to the API in the X-Invitation-Token header only.
import { api, ApiError } from "/shared/api.js";
import { applyBrand } from "./brand.js";
import { openStore, ownerOf } from "./chunk-store.js";
import { announce, h, show, spokenSeconds } from "./dom.js";
import { canRecord, deviceErrorMessage, openDevices, pickMimeType, stopStream, watchLevel, ChunkRecorder } from "./media.js";
import { isAnswered, missedQuestion, questionView, uploadPanel } from "./question.js";
import { resumePending } from "./uploader.js";

const fragment = new URLSearchParams(window.location.hash.slice(1));
const token = fragment.get("token") || "";
const requestedView = fragment.get("view") || "";
const PRACTICE_SECONDS = 30;

const app = {
  session: null,
  stream: null,
  store: null,
  owner: "",
  uploads: new Map(), // question id → the latest AttemptUpload started or resumed in this tab
  starts: new Map(), // question id → key of a recording start the server has not answered yet
  practised: false,
  acknowledged: new Set(), // "question:attempt" of failed retakes the candidate chose to leave
  missedShown: new Set(), // questions whose think time ran out, already explained in this tab
  call,
  next: () => goToNextQuestion(),
  acknowledge(questionId, attempt) {
    this.acknowledged.add(`${questionId}:${attempt}`);
    try {
      localStorage.setItem(`oneway-ack/${this.owner}`, JSON.stringify([...this.acknowledged]));
    } catch { /* storage refused: asked again after a reload, nothing worse */ }
  },
  track(upload) {
    this.uploads.set(upload.questionId, upload);
  },
};
window.onewayCandidate = app; // for the browser tests and the bench to observe uploads

async function call(method, path, body) {
  try {
    return await api(path, { method, body, headers: { "X-Invitation-Token": token } });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const offline = new Error("We could not reach the server. Check your connection and try again.");
    offline.network = true;
    throw offline;
  }
}

// --- page furniture -------------------------------------------------------------------

function renderHeader(company) {
  const header = document.getElementById("brand");
  const parts = [];
  if (company.logo_url && /^https?:\/\//i.test(company.logo_url)) {
    parts.push(h("img", { class: "logo", src: company.logo_url, alt: `${company.name} logo` }));
  }
  parts.push(h("span", { class: "company", text: company.name }));
  header.replaceChildren(...parts);
}

function renderFooter() {
  const contact = app.session && app.session.interview.support_contact;
  const footer = document.getElementById("support");
  footer.replaceChildren(contact ? h("p", {}, "Questions or problems? Contact ", h("strong", { text: contact }), ".") : "");
}

function fatal(title, message, { retry = false } = {}) {
  const contact = app.session && app.session.interview.support_contact;
  show(h("section", { class: "card full-page", "data-view": "error" },
    h("h1", { text: title }),
    h("p", { text: message }),
    contact && !message.includes(contact) ? h("p", {}, "Need help? Contact ", h("strong", { text: contact }), ".") : null,
    !contact ? h("p", { class: "meta" }, "If you think this is a mistake, reply to the email that brought you here or contact the company that invited you.") : null,
    retry ? h("div", { class: "actions" }, h("button", { type: "button", onclick: () => window.location.reload() }, "Try again")) : null,
  ));
}

function showApiFailure(error) {
  if (error.status === 401) {
    fatal("This link does not work", `${error.message} Make sure you opened the whole link from your invitation email.`);
  } else if (error.status === 410) {
    fatal("This interview is closed", error.message);
  } else if (error.network) {
    fatal("We can't reach the server", error.message, { retry: true });
  } else {
    fatal("Something went wrong", error.message, { retry: true });
  }
}

// Leaving while an answer is still uploading is the one way to lose it on a device without
// IndexedDB; everywhere else it just delays it. Either way, ask first.
window.addEventListener("beforeunload", (event) => {
  const busy = [...app.uploads.values()].some((u) => u.phase !== "saved" && u.phase !== "failed");
  if (busy) {
    event.preventDefault();
    event.returnValue = "";
  }
});

// --- landing ----------------------------------------------------------------------------

function localDeadline(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "full", timeStyle: "short" });
}

function landing() {
  const { invitation, company, interview, questions, progress } = app.session;
  const counts = { video: 0, audio: 0, text: 0 };
  for (const q of questions) counts[q.answer_type] += 1;
  const kinds = [
    counts.video && `${counts.video} video`,
    counts.audio && `${counts.audio} audio`,
    counts.text && `${counts.text} written`,
  ].filter(Boolean).join(", ");
  const returning = Boolean(invitation.consent_at);
  const reopened = questions.filter((q) => (invitation.reopened_questions || []).includes(q.question_id));
  // A question opened before the page was closed: its think time has kept running.
  const thinking = questions.find((q) => q.think_seconds_left !== null && q.think_seconds_left !== undefined && !q.missed && !isAnswered(q));
  const message = h("p", { class: "message", role: "alert" });
  const consent = h("input", { type: "checkbox", id: "consent", required: true });
  const startLabel = reopened.length ? "Record my answer again" : returning ? "Continue my interview" : "I agree — start";
  const start = h("button", { type: "submit", "data-action": "begin" }, startLabel);

  const form = h("form", { class: "card", "data-view": "landing", novalidate: true },
    h("p", { class: "step" }, "Video interview"),
    h("h1", { text: interview.title }),
    h("p", { class: "lead" }, `Hi ${invitation.candidate_name},`),
    interview.role_description ? h("p", { text: interview.role_description }) : null,
    interview.intro ? h("p", { class: "intro", text: interview.intro }) : null,
    reopened.length
      ? h("div", { class: "notice", "data-notice": "reopened" },
        h("p", {}, `Thank you for submitting your interview. Unfortunately we could not process your recording for question ${reopened.map((q) => q.position).join(" and ")} — not because of anything you did.`),
        h("p", {}, `Please record ${reopened.length === 1 ? "that answer" : "those answers"} again, then submit your interview once more. Your other answers are kept.`))
      : returning
        ? h("p", { class: "ok" }, `Welcome back! You have answered ${progress.answered} of ${progress.total} questions. We will take you to the next one.`)
        : null,
    thinking
      ? h("p", { class: "notice", "data-notice": "thinking" }, `Question ${thinking.position} is open and its think time is still running: about ${spokenSeconds(thinking.think_seconds_left)} left. Continue now to answer it.`)
      : null,
    h("h2", {}, "How it works"),
    h("ul", {},
      h("li", {}, `${questions.length} question${questions.length === 1 ? "" : "s"} (${kinds}). Each one shows how long you have to think and to answer.`),
      h("li", {}, "A question appears when you reach it, and its think time starts then. It keeps running if you close or reload the page, and once it is over that question can no longer be recorded."),
      counts.video + counts.audio ? h("li", {}, "First we check your camera and microphone, then you can try a practice question that is never saved.") : null,
      h("li", {}, "Your answers upload while you record. You can stop between questions and come back to the same link later."),
    ),
    h("p", { class: "deadline" }, "Please finish by ", h("strong", { text: localDeadline(invitation.deadline) }), " (your local time)."),
    h("section", { class: "privacy", "aria-labelledby": "privacy-title" },
      h("h2", { id: "privacy-title" }, "Your privacy"),
      h("p", {}, `Your video, audio and written answers are sent to ${company.name} and seen only by the people hiring for this role. They are used to assess your application and nothing else, and are stored securely in ${company.name}'s own cloud account.`),
      h("p", {}, "Nothing is recorded until you press “Start recording”. The camera check and the practice question stay on this device."),
      interview.support_contact
        ? h("p", {}, "To see, correct or delete your answers, or if you need an adjustment (for example more time), contact ", h("strong", { text: interview.support_contact }), ".")
        : null,
    ),
    returning ? null : h("div", { class: "check" }, consent, h("label", { for: "consent" }, `I have read the privacy notice and agree that ${company.name} records and reviews my answers.`)),
    message,
    h("div", { class: "actions" }, start),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!returning) {
      if (!consent.checked) {
        message.textContent = "Please tick the box to agree before you start.";
        consent.focus();
        return;
      }
      start.disabled = true;
      try {
        const reply = await call("POST", "/candidate/consent", { accepted: true });
        invitation.consent_at = reply.consent_at;
      } catch (error) {
        start.disabled = false;
        message.textContent = error.message;
        return;
      }
    }
    afterLanding();
  });
  show(form);
}

// Questions still to answer: neither answered nor missed (think time over before recording).
const stillOpen = (q) => !isAnswered(q) && !q.missed;

function needsDevices() {
  return app.session.questions.some((q) => q.answer_type !== "text" && stillOpen(q));
}

function needsCamera() {
  return app.session.questions.some((q) => q.answer_type === "video" && stillOpen(q));
}

function afterLanding() {
  if (needsDevices() && !app.stream) deviceCheck();
  else goToNextQuestion();
}

// --- device check -----------------------------------------------------------------------

function unsupported() {
  const copy = h("button", { type: "button", class: "secondary", onclick: async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      copy.textContent = "Link copied";
    } catch {
      copy.textContent = "Copy the address from the address bar";
    }
  } }, "Copy my interview link");
  show(h("section", { class: "card full-page", "data-view": "unsupported" },
    h("h1", {}, "This browser can't record your answers"),
    h("p", {}, "Open this link in a recent Chrome, Firefox, Edge or Safari. On a phone, open it in Chrome or Safari rather than inside another app (such as an email or social media app)."),
    h("div", { class: "actions" }, copy),
  ));
}

async function deviceCheck() {
  const video = needsCamera();
  if (!canRecord() || !pickMimeType(video ? "video" : "audio")) {
    unsupported();
    return;
  }
  const preview = h("video", { class: "preview", muted: true, autoplay: true, playsinline: true, "aria-label": "Your camera" });
  const fill = h("div", { class: "level-fill" });
  const meter = h("div", { class: "level", role: "img", "aria-label": "Microphone level" }, fill);
  const heard = h("p", { class: "meta", "data-mic": "waiting" }, "Say something: the bar should move when you speak.");
  const problem = h("div", { class: "problem", role: "alert" });
  const next = h("button", { type: "button", "data-action": "devices-ok", disabled: true }, "My camera and microphone work — continue");
  const retry = h("button", { type: "button", class: "secondary", hidden: true, onclick: () => { stop(); deviceCheck(); } }, "Try again");
  let stopLevel = () => {};
  const stop = () => stopLevel();

  show(h("section", { class: "card", "data-view": "devices" },
    h("p", { class: "step" }, "Before you start"),
    h("h1", {}, video ? "Check your camera and microphone" : "Check your microphone"),
    h("p", {}, video ? "Make sure your face is well lit and in the middle of the picture." : "These answers are audio only: your camera is not used."),
    video ? preview : null,
    h("p", { class: "label" }, "Microphone"),
    meter, heard, problem,
    h("div", { class: "actions" }, next, retry),
  ));
  try {
    app.stream = await openDevices({ video });
  } catch (error) {
    const { title, steps } = deviceErrorMessage(error);
    problem.replaceChildren(h("h2", { text: title }), h("ol", {}, steps.map((s) => h("li", { text: s }))));
    retry.hidden = false;
    next.hidden = true;
    retry.focus();
    return;
  }
  if (video) {
    preview.srcObject = app.stream;
    preview.play().catch(() => {}); // iOS wants an explicit play() for a live stream
  }
  let loudest = 0;
  stopLevel = watchLevel(app.stream, (value) => {
    fill.style.width = `${Math.round(value * 100)}%`;
    if (value > 0.25 && loudest <= 0.25) {
      heard.textContent = "We can hear you.";
      heard.dataset.mic = "heard";
      heard.className = "ok";
    }
    loudest = Math.max(loudest, value);
  });
  next.disabled = false;
  next.onclick = () => {
    stop();
    if (!app.practised && app.session.progress.answered === 0) practice();
    else goToNextQuestion();
  };
}

// --- practice (never stored, never uploaded) -------------------------------------------

function practice() {
  const preview = h("video", { class: "preview", muted: true, autoplay: true, playsinline: true, "aria-label": "Your camera" });
  const stage = h("div", { class: "stage" }, preview);
  const timer = h("p", { class: "timer", "aria-hidden": "true" });
  const controls = h("div", { class: "actions" });
  const skip = h("button", { type: "button", class: "secondary", "data-action": "skip-practice", onclick: () => done() }, "Skip practice");
  const audioOnly = !needsCamera();
  let clock = 0;
  let recorder = null;
  const done = () => {
    window.clearInterval(clock);
    if (recorder) recorder.stop();
    app.practised = true;
    goToNextQuestion();
  };
  const live = () => {
    if (audioOnly) stage.replaceChildren(h("p", { class: "meta" }, "Audio only: speak and then listen back."));
    else {
      preview.srcObject = app.stream;
      stage.replaceChildren(preview);
    }
    timer.textContent = "";
    controls.replaceChildren(h("button", { type: "button", "data-action": "practice-record", onclick: record }, "Start practice recording"), skip);
  };
  const record = () => {
    const mimeType = pickMimeType(audioOnly ? "audio" : "video");
    const source = audioOnly ? new MediaStream(app.stream.getAudioTracks()) : app.stream;
    recorder = new ChunkRecorder(source, mimeType, { timeslice: 1000 });
    recorder.start();
    const began = performance.now();
    const stop = h("button", { type: "button", class: "stop", "data-action": "practice-stop", onclick: () => finish() }, "Stop");
    controls.replaceChildren(stop);
    stop.focus();
    announce(`Practice recording. Up to ${PRACTICE_SECONDS} seconds.`);
    const tick = () => {
      const elapsed = (performance.now() - began) / 1000;
      timer.textContent = `${Math.floor(elapsed)} s of ${PRACTICE_SECONDS} s (practice)`;
      if (elapsed >= PRACTICE_SECONDS) finish();
    };
    let finishing = false;
    const finish = async () => {
      if (finishing) return;
      finishing = true;
      window.clearInterval(clock);
      await recorder.stop();
      const url = URL.createObjectURL(recorder.blob());
      recorder = null;
      const playback = audioOnly
        ? h("audio", { src: url, controls: true, "aria-label": "Play back your practice answer" })
        : h("video", { class: "preview", src: url, controls: true, playsinline: true, "aria-label": "Play back your practice answer" });
      stage.replaceChildren(playback);
      timer.textContent = "";
      announce("Practice recording stopped. Play it back to check how you look and sound.");
      controls.replaceChildren(
        h("button", { type: "button", "data-action": "practice-done", onclick: () => done() }, "Start the interview"),
        h("button", { type: "button", class: "secondary", onclick: live }, "Practise again"),
      );
    };
    tick();
    clock = window.setInterval(tick, 250);
  };
  show(h("section", { class: "card", "data-view": "practice" },
    h("p", { class: "step" }, "Practice (not saved)"),
    h("h1", {}, "Practice question: what did you have for breakfast today?"),
    h("p", {}, "This recording stays on your device: nothing is uploaded or saved. Use it to check your light, sound and framing."),
    stage, timer, controls,
  ));
  live();
}

// --- questions, finish, done -------------------------------------------------------------

async function refreshSession() {
  const session = await call("GET", "/candidate/session");
  // Think time left is counted down from the moment the server said it.
  const receivedAt = performance.now();
  for (const question of session.questions) question.receivedAt = receivedAt;
  app.session = session;
}

async function goToNextQuestion() {
  try {
    await refreshSession();
  } catch (error) {
    if (!error.network) return showApiFailure(error);
    // Offline between questions: carry on with what we know; uploads keep retrying.
  }
  if (app.session.invitation.status === "completed") return doneView();
  // An answer whose upload was resumed after a reload is shown first, so the candidate sees
  // what was saved and may record it again, before moving on.
  const resumed = [...app.uploads.values()].find((u) => u.resumed && !u.shown && u.phase !== "failed");
  const resumedQuestion = resumed && app.session.questions.find((q) => q.question_id === resumed.questionId);
  // A retake the worker could not use is shown with its reason until the candidate records
  // again or chooses to keep the earlier answer.
  const failedRetake = app.session.questions.find((q) => q.answer && q.answer.retake_failed
    && !app.acknowledged.has(`${q.question_id}:${q.answer.retake_failed.attempt}`));
  // A question whose think time ran out while the page was away is explained once, then skipped.
  const missed = app.session.questions.find((q) => q.missed && !isAnswered(q) && !app.missedShown.has(q.question_id));
  if (!resumedQuestion && !failedRetake && missed) {
    app.missedShown.add(missed.question_id);
    return missedQuestion(app, missed);
  }
  const question = resumedQuestion || failedRetake || app.session.questions.find(stillOpen);
  if (!question) return finishView();
  if (question.answer_type !== "text" && !app.stream) return deviceCheck();
  if (resumedQuestion) resumed.shown = true;
  questionView(app, question, resumedQuestion ? resumed : null);
}

function finishView() {
  const { progress, invitation } = app.session;
  const missed = app.session.questions.filter((q) => q.missed && !isAnswered(q));
  const again = (invitation.reopened_questions || []).length > 0;
  const message = h("p", { class: "message", role: "alert" });
  const submitLabel = again ? "Submit my interview again" : "Submit my interview";
  const submit = h("button", { type: "button", "data-action": "complete" }, submitLabel);
  submit.addEventListener("click", async () => {
    submit.disabled = true;
    submit.textContent = "Submitting…";
    try {
      await call("POST", "/candidate/complete");
      stopStream(app.stream);
      app.stream = null;
      await refreshSession();
      doneView();
    } catch (error) {
      submit.disabled = false;
      submit.textContent = submitLabel;
      message.textContent = error.message;
      if (error.status === 409 && error.details.length) {
        message.append(" ", h("button", { type: "button", class: "secondary", onclick: () => goToNextQuestion() }, "Go to the question"));
      }
    }
  });
  show(h("section", { class: "card", "data-view": "finish" },
    h("p", { class: "step" }, "Almost done"),
    h("h1", {}, missed.length ? "You have reached the end of the questions" : "You have answered every question"),
    missed.length
      ? h("p", { "data-missed": "" }, `Your ${progress.answered === 1 ? "answer is" : `${progress.answered} answers are`} saved. Question ${missed.map((q) => q.position).join(" and ")} could not be answered: the think time ran out before a recording was started. Submit your interview to send your answers to ${app.session.company.name}. You can't change your answers afterwards.`)
      : h("p", {}, `All ${progress.total} answers are saved. Submit your interview to send it to ${app.session.company.name}. You can't change your answers afterwards.`),
    message,
    h("div", { class: "actions" }, submit),
  ));
}

function doneView() {
  const { invitation, interview, company } = app.session;
  const feedback = invitation.feedback_given ? h("p", { class: "meta" }, "Thank you for your feedback.") : feedbackForm();
  show(h("section", { class: "card", "data-view": "done" },
    h("p", { class: "step ok" }, "Interview submitted"),
    h("h1", {}, `Thank you, ${invitation.candidate_name}!`),
    h("p", { class: "outro", text: interview.outro || `${company.name} has received your answers.` }),
    h("h2", {}, "What happens next"),
    h("p", {}, `The hiring team at ${company.name} will watch your answers and contact you by email. You can close this page now.`),
    feedback,
  ));
}

function feedbackForm() {
  const message = h("p", { class: "message", role: "alert" });
  const options = [
    [1, "1 — Poor"], [2, "2"], [3, "3"], [4, "4"], [5, "5 — Excellent"],
  ].map(([value, label]) => h("label", { class: "rating" }, h("input", { type: "radio", name: "rating", value: String(value) }), h("span", {}, label)));
  const comment = h("textarea", { id: "feedback-comment", rows: "3", maxlength: "2000" });
  const send = h("button", { type: "submit" }, "Send feedback");
  const form = h("form", { class: "feedback", "data-view": "feedback", novalidate: true },
    h("h2", {}, "How was this interview for you?"),
    h("fieldset", {}, h("legend", {}, "Rate your experience from 1 (poor) to 5 (excellent)"), h("div", { class: "ratings" }, options)),
    h("label", { for: "feedback-comment" }, "Anything we could do better? (optional)"),
    comment, message,
    h("div", { class: "actions" }, send),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=rating]:checked");
    if (!chosen) {
      message.textContent = "Please choose a rating from 1 to 5.";
      form.querySelector("input[name=rating]").focus();
      return;
    }
    send.disabled = true;
    try {
      await call("POST", "/candidate/feedback", { rating: Number(chosen.value), comment: comment.value.trim() });
      form.replaceChildren(h("p", { class: "ok", "data-feedback": "sent" }, "Thank you for your feedback!"));
      announce("Thank you for your feedback!");
    } catch (error) {
      if (error.status === 409) {
        form.replaceChildren(h("p", { class: "ok" }, error.message));
        return;
      }
      send.disabled = false;
      message.textContent = error.message;
    }
  });
  return form;
}

// --- the candidate's own data -----------------------------------------------------------

// Reached from the link in every email; works after the deadline too, since it is about
// the candidate's data, not the interview.
function privacyView() {
  const message = h("p", { class: "message", role: "status", "aria-live": "polite" });
  const download = h("button", { type: "button", "data-action": "download-data" }, "Download my data");
  const remove = h("button", { type: "button", class: "secondary", "data-action": "request-deletion" }, "Delete my data");
  download.addEventListener("click", async () => {
    download.disabled = true;
    message.textContent = "Preparing your data…";
    try {
      const data = await call("GET", "/candidate/data");
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const link = h("a", { href: URL.createObjectURL(blob), download: "my-interview-data.json", "data-download": "ready" }, "Save my-interview-data.json");
      message.className = "ok";
      message.replaceChildren("Your data is ready. Media links inside it work for a few minutes. ", link);
      link.click();
    } catch (error) {
      message.className = "message";
      message.textContent = error.message;
    } finally {
      download.disabled = false;
    }
  });
  remove.addEventListener("click", async () => {
    if (!window.confirm("Delete your answers and personal data? This cannot be undone.")) return;
    remove.disabled = true;
    try {
      const result = await call("POST", "/candidate/deletion-request");
      const by = new Date(result.deleted_by).toLocaleString();
      message.className = "ok";
      message.textContent = `We received your request. Your answers and personal data will be deleted by ${by}.`;
      announce(message.textContent);
    } catch (error) {
      remove.disabled = false;
      message.className = "message";
      message.textContent = error.message;
    }
  });
  show(h("section", { class: "card", "data-view": "privacy" },
    h("h1", {}, "Your data"),
    h("p", {}, "You can download everything we keep about you for this interview — your details, your answers and links to your recordings — or ask us to delete it."),
    h("div", { class: "actions" }, download, remove),
    message,
  ));
}

// --- start ------------------------------------------------------------------------------

// Answers recorded before a reload or crash: finish uploading them in the background and
// show how it goes, whatever page the candidate is on.
function resumeUploads(uploads) {
  const banner = document.getElementById("resume");
  for (const upload of uploads) {
    app.track(upload);
    const question = app.session.questions.find((q) => q.question_id === upload.questionId);
    const label = question ? `Question ${question.position}` : "An earlier answer";
    banner.append(h("div", { class: "card resume" }, h("p", { class: "meta" }, `${label}: finishing the upload of an answer recorded earlier.`), uploadPanel(upload)));
    upload.saved.then(() => window.setTimeout(() => banner.replaceChildren(), 3000), () => {});
  }
}

async function boot() {
  if (!token) {
    fatal("This page needs your personal link", "Open the link from your invitation email again: it contains the key to your interview.");
    return;
  }
  if (requestedView === "privacy") {
    privacyView();
    return;
  }
  try {
    await refreshSession();
  } catch (error) {
    showApiFailure(error);
    return;
  }
  applyBrand(app.session.company);
  renderHeader(app.session.company);
  renderFooter();
  document.title = `${app.session.interview.title} — ${app.session.company.name}`;
  app.store = await openStore();
  app.owner = await ownerOf(token);
  try {
    for (const key of JSON.parse(localStorage.getItem(`oneway-ack/${app.owner}`) || "[]")) app.acknowledged.add(key);
  } catch { /* nothing remembered */ }
  if (app.session.invitation.status === "completed") {
    doneView();
    return;
  }
  resumeUploads(await resumePending({ store: app.store, call, owner: app.owner }));
  landing();
}

// A different link pasted into the same tab is a different invitation: start over.
window.addEventListener("hashchange", () => window.location.reload());
boot();
