// The candidate recording site: landing → device check → practice → questions → done.
// The token lives in the URL fragment, which browsers never send to servers or in Referer;
// it goes to the API in the X-Invitation-Token header only.
import { api, ApiError } from "/shared/api.js";
import { applyBrand, renderBrandHeader } from "/shared/brand.js";
import { formatBitrate, formatDateTime, formatList, formatNumber, language, languageSwitcher, preferredLanguage, setLanguage, t } from "/shared/i18n.js";
import { openStore, ownerOf } from "./chunk-store.js";
import { announce, h, rich, show, spokenSeconds } from "./dom.js";
import { canRecord, openDevices, pickMimeType, stopStream, watchLevel, ChunkRecorder } from "./media.js";
import { isAnswered, missedQuestion, questionView, uploadPanel } from "./question.js";
import { resumePending } from "./uploader.js";
import { bitrateForUplink, verdict } from "./bitrate.js";
import { measureUplink } from "./network.js";

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
  // What to record at: from the device check's uplink test, then adjusted after every
  // recording by the backlog it left (bitrate.js). Unmeasured: 1 Mbit/s video, 64 kbit/s audio.
  bitrate: bitrateForUplink(null),
  uplink: null, // {bits, verdict} once measured
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
  // The current view again, in a newly chosen language (null: a view that cannot be redrawn
  // without losing what the candidate is doing, such as a recording).
  redraw: null,
  company: null, // branding of a page shown without a session ("your data", errors)
  supportContact: null, // whom such a page names for help
  // Where accommodation.js puts its request panel on the landing page.
  landingSlot: null,
};
window.onewayCandidate = app; // for the browser tests and the bench to observe uploads

async function call(method, path, body) {
  try {
    return await api(path, { method, body, headers: { "X-Invitation-Token": token } });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const offline = new Error(t("errors.offline.message"));
    offline.network = true;
    throw offline;
  }
}

// --- page furniture -------------------------------------------------------------------

// Server wording is English: other languages show their own sentence for the situation.
export function serverText(message, key, params = {}) {
  return language() === "en" && message ? message : t(key, params);
}

function renderHeader(company) {
  const switcher = languageSwitcher(async (chosen) => {
    if (token) call("PUT", "/candidate/language", { language: chosen }).catch(() => {});
    renderChrome();
    if (app.redraw) app.redraw();
    // Keyboard and screen reader users stay where they were: on the switcher.
    const select = document.getElementById("language-switcher");
    if (select) select.focus();
  });
  switcher.hidden = !app.redraw;
  renderBrandHeader(document.getElementById("brand"), company || { name: t("site.name") }, {
    logoAlt: company ? t("brand.logo", { company: company.name }) : "",
    extra: switcher,
  });
}

// The switcher shows only where a change of language can redraw the page (not mid-question).
function setRedraw(redraw) {
  app.redraw = redraw;
  const switcher = document.querySelector(".language-switcher");
  if (switcher) switcher.hidden = !redraw;
}

function renderFooter() {
  const contact = app.session && app.session.interview.support_contact;
  const footer = document.getElementById("support");
  footer.replaceChildren(contact ? h("p", {}, rich("footer.contact", {}, { contact: h("strong", { text: contact }) })) : "");
}

// Everything outside <main> that speaks: title, skip link, header, footer.
function renderChrome() {
  const session = app.session;
  document.title = session ? `${session.interview.title} — ${session.company.name}` : t("site.title");
  const skip = document.querySelector(".skip-link");
  if (skip) skip.textContent = t("site.skip");
  renderHeader(app.company || (session && session.company));
  renderFooter();
}

function fatal(title, message, { retry = false, view = "error", extra = null } = {}) {
  const contact = (app.session && app.session.interview.support_contact) || app.supportContact;
  const draw = () => show(h("section", { class: "card full-page", "data-view": view },
    h("h1", { text: title() }),
    h("p", { text: message() }),
    extra ? extra() : null,
    contact && !message().includes(contact) ? h("p", {}, rich("errors.needHelp", {}, { contact: h("strong", { text: contact }) })) : null,
    !contact ? h("p", { class: "meta" }, t("errors.mistake")) : null,
    retry ? h("div", { class: "actions" }, h("button", { type: "button", onclick: () => window.location.reload() }, t("errors.tryAgain"))) : null,
  ));
  setRedraw(draw);
  draw();
}

// `details` of a link_replaced error: where and when the newer link went (a list or an object).
function replacedDetails(details) {
  const found = Array.isArray(details) ? details.find((d) => d && (d.masked_email || d.sent_at)) : details;
  return found || {};
}

function showApiFailure(error) {
  if (error.code === "link_replaced") {
    const details = replacedDetails(error.details);
    const email = details.masked_email;
    const sent = details.sent_at || details.replaced_at || details.issued_at;
    const company = details.company_name || details.company;
    const when = sent ? formatDateTime(sent, { year: "numeric", month: "long", day: "numeric" }) : null;
    const what = () => {
      if (email && when) return t("linkReplaced.sentToOn", { email, date: when });
      if (email) return t("linkReplaced.sentTo", { email });
      if (when) return t("linkReplaced.sentOn", { date: when });
      return t("linkReplaced.sent");
    };
    fatal(() => t("linkReplaced.title"), what, {
      view: "error",
      extra: () => h("div", { "data-notice": "link-replaced" },
        h("p", {}, company ? t("linkReplaced.openNewestFrom", { company }) : t("linkReplaced.openNewest")),
        h("p", { class: "meta" }, t("linkReplaced.notFound"))),
    });
  } else if (error.status === 401) {
    fatal(() => t("errors.badLink.title"), () => `${serverText(error.message, "errors.badLink.message")} ${t("errors.badLink.whole")}`);
  } else if (error.status === 410) {
    fatal(() => t("errors.closed.title"), () => serverText(error.message, "errors.closed.message"));
  } else if (error.network) {
    fatal(() => t("errors.offline.title"), () => t("errors.offline.message"), { retry: true });
  } else {
    fatal(() => t("errors.generic.title"), () => serverText(error.message, "errors.generic.message"), { retry: true });
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

function landing() {
  const { invitation, company, interview, questions, progress } = app.session;
  const counts = { video: 0, audio: 0, text: 0 };
  for (const q of questions) counts[q.answer_type] += 1;
  const kinds = formatList([
    counts.video && t("landing.kind.video", { count: counts.video }),
    counts.audio && t("landing.kind.audio", { count: counts.audio }),
    counts.text && t("landing.kind.text", { count: counts.text }),
  ].filter(Boolean), "unit");
  const returning = Boolean(invitation.consent_at);
  const reopened = questions.filter((q) => (invitation.reopened_questions || []).includes(q.question_id));
  // A question opened before the page was closed: its think time has kept running.
  const thinking = questions.find((q) => q.think_seconds_left !== null && q.think_seconds_left !== undefined && !q.missed && !isAnswered(q));
  const message = h("p", { class: "message", role: "alert" });
  const consent = h("input", { type: "checkbox", id: "consent", required: true });
  const startLabel = reopened.length ? t("landing.start.again") : returning ? t("landing.start.continue") : t("landing.start.agree");
  const start = h("button", { type: "submit", "data-action": "begin" }, startLabel);
  const slot = h("div", { class: "landing-slot", "data-slot": "accommodation" });
  app.landingSlot = slot;

  const form = h("form", { class: "card", "data-view": "landing", novalidate: true },
    h("p", { class: "step" }, t("landing.step")),
    h("h1", { text: interview.title }),
    h("p", { class: "lead" }, t("landing.greeting", { name: invitation.candidate_name })),
    interview.role_description ? h("p", { text: interview.role_description }) : null,
    interview.intro ? h("p", { class: "intro", text: interview.intro }) : null,
    reopened.length
      ? h("div", { class: "notice", "data-notice": "reopened" },
        h("p", {}, t("landing.reopened.sorry", { questions: formatList(reopened.map((q) => q.position)) })),
        h("p", {}, t("landing.reopened.again", { count: reopened.length })))
      : returning
        ? h("p", { class: "ok" }, t("landing.welcomeBack", { answered: progress.answered, total: progress.total }))
        : null,
    thinking
      ? h("p", { class: "notice", "data-notice": "thinking" }, t("landing.thinking", { position: thinking.position, left: spokenSeconds(thinking.think_seconds_left) }))
      : null,
    h("h2", {}, t("landing.how.title")),
    h("ul", {},
      h("li", {}, t("landing.how.questions", { count: questions.length, kinds })),
      h("li", {}, t("landing.how.thinkTime")),
      counts.video + counts.audio ? h("li", {}, t("landing.how.devices")) : null,
      h("li", {}, t("landing.how.pause")),
    ),
    h("p", { class: "deadline" }, rich("landing.deadline", {}, { date: h("strong", { text: formatDateTime(invitation.deadline) }) })),
    slot,
    h("section", { class: "privacy", "aria-labelledby": "privacy-title" },
      h("h2", { id: "privacy-title" }, t("landing.privacy.title")),
      h("p", {}, t("landing.privacy.who", { company: company.name })),
      h("p", {}, t("landing.privacy.nothingYet")),
      interview.support_contact
        ? h("p", {}, rich("landing.privacy.contact", {}, { contact: h("strong", { text: interview.support_contact }) }))
        : null,
    ),
    returning ? null : h("div", { class: "check" }, consent, h("label", { for: "consent" }, t("landing.consent", { company: company.name }))),
    message,
    h("div", { class: "actions" }, start),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!returning) {
      if (!consent.checked) {
        message.textContent = t("landing.consentNeeded");
        consent.focus();
        return;
      }
      start.disabled = true;
      try {
        const reply = await call("POST", "/candidate/consent", { accepted: true });
        invitation.consent_at = reply.consent_at;
      } catch (error) {
        start.disabled = false;
        message.textContent = serverText(error.message, "errors.generic.message");
        return;
      }
    }
    afterLanding();
  });
  setRedraw(landing);
  show(form);
  // The accommodation request panel fills the slot when that module is there.
  document.dispatchEvent(new CustomEvent("oneway:landing", { detail: { app, slot } }));
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
      copy.textContent = t("unsupported.copied");
    } catch {
      copy.textContent = t("unsupported.copyManually");
    }
  } }, t("unsupported.copy"));
  setRedraw(unsupported);
  show(h("section", { class: "card full-page", "data-view": "unsupported" },
    h("h1", {}, t("unsupported.title")),
    h("p", {}, t("unsupported.help")),
    h("div", { class: "actions" }, copy),
  ));
}

// What to tell a candidate when getUserMedia fails, by the error's name.
function deviceProblem(error) {
  const again = t("devices.problem.pressTryAgain");
  switch (error && error.name) {
    case "NotAllowedError":
    case "SecurityError":
      return {
        title: t("devices.problem.blocked.title"),
        steps: [t("devices.problem.blocked.addressBar"), t("devices.problem.blocked.ios"), t("devices.problem.blocked.android"), again],
      };
    case "NotFoundError":
    case "OverconstrainedError":
      return { title: t("devices.problem.missing.title"), steps: [t("devices.problem.missing.plugIn"), again] };
    case "NotReadableError":
    case "AbortError":
      return { title: t("devices.problem.busy.title"), steps: [t("devices.problem.busy.close"), again] };
    default:
      return { title: t("devices.problem.other.title"), steps: [t("devices.problem.other.reload")] };
  }
}

async function deviceCheck() {
  setRedraw(null);
  const video = needsCamera();
  if (!canRecord() || !pickMimeType(video ? "video" : "audio")) {
    unsupported();
    return;
  }
  const preview = h("video", { class: "preview", muted: true, autoplay: true, playsinline: true, "aria-label": t("devices.camera") });
  const fill = h("div", { class: "level-fill" });
  const meter = h("div", { class: "level", role: "img", "aria-label": t("devices.micLevel") }, fill);
  const heard = h("p", { class: "meta", "data-mic": "waiting" }, t("devices.saySomething"));
  const problem = h("div", { class: "problem", role: "alert" });
  const next = h("button", { type: "button", "data-action": "devices-ok", disabled: true }, t("devices.ok"));
  const retry = h("button", { type: "button", class: "secondary", hidden: true, onclick: () => { stop(); deviceCheck(); } }, t("errors.tryAgain"));
  let stopLevel = () => {};
  const stop = () => stopLevel();

  const connection = h("div", { class: "connection", "data-network": "checking", role: "status", "aria-live": "polite" });
  show(h("section", { class: "card", "data-view": "devices" },
    h("p", { class: "step" }, t("devices.step")),
    h("h1", {}, video ? t("devices.title.video") : t("devices.title.audio")),
    h("p", {}, video ? t("devices.hint.video") : t("devices.hint.audio")),
    video ? preview : null,
    h("p", { class: "label" }, t("devices.microphone")),
    meter, heard, problem,
    h("p", { class: "label" }, t("devices.connection")),
    connection,
    h("div", { class: "actions" }, next, retry),
  ));
  checkConnection(connection, video);
  try {
    app.stream = await openDevices({ video });
  } catch (error) {
    const { title, steps } = deviceProblem(error);
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
      heard.textContent = t("devices.heard");
      heard.dataset.mic = "heard";
      heard.className = "ok";
    }
    loudest = Math.max(loudest, value);
  });
  next.disabled = false;
  next.onclick = () => {
    stop();
    if (mayPractise()) practice();
    else goToNextQuestion();
  };
}

// How fast this device uploads, said in plain words, and the bitrate recordings start at.
// The test runs beside the camera check and never holds the candidate up: when it cannot
// run, recording still works at the default bitrate.
let checking = null;

function checkConnection(panel, video) {
  const render = () => {
    const { uplink } = app;
    if (!uplink) {
      panel.dataset.network = "checking";
      panel.replaceChildren(h("p", { class: "meta" }, t("network.checking")));
      return;
    }
    panel.dataset.network = uplink.verdict;
    panel.dataset.uplinkBits = String(Math.round(uplink.bits || 0));
    panel.dataset.bitrate = String(app.bitrate.video);
    const again = h("button", { type: "button", class: "secondary", "data-action": "network-again", onclick: () => {
      app.uplink = null;
      checkConnection(panel, video);
    } }, t("network.again"));
    const speed = uplink.bits ? t("network.speed", { speed: formatBitrate(uplink.bits) }) : "";
    const audioQuestions = app.session.questions.filter((q) => q.answer_type === "audio" && stillOpen(q)).length;
    const contact = app.session.interview.support_contact;
    switch (uplink.verdict) {
      case "good":
        panel.replaceChildren(h("p", { class: "ok" }, video ? t("network.good.video", { speed }) : t("network.good.audio", { speed })));
        break;
      case "slow":
        panel.replaceChildren(
          h("p", { class: "warn" }, t("network.slow", { speed })),
          h("p", {}, t("network.slow.better")),
          h("ul", {},
            h("li", {}, t("network.slow.tabs")),
            h("li", {}, t("network.slow.router")),
            h("li", {}, t("network.slow.again"))),
          h("div", { class: "actions" }, again),
        );
        break;
      case "too-slow":
        panel.replaceChildren(
          h("p", { class: "message" }, video
            ? t("network.tooSlow.video", { speed })
            : t("network.tooSlow.audio", { speed })),
          h("ul", {},
            h("li", {}, t("network.tooSlow.router")),
            h("li", {}, t("network.tooSlow.tabs")),
            h("li", {}, t("network.tooSlow.again"))),
          video && audioQuestions
            ? h("p", {}, t("network.tooSlow.audioWorks", { count: audioQuestions }))
            : null,
          h("p", {}, contact
            ? t("network.tooSlow.contact", { contact })
            : t("network.tooSlow.continue")),
          h("div", { class: "actions" }, again),
        );
        break;
      default:
        panel.replaceChildren(h("p", { class: "meta" }, t("network.unknown")), h("div", { class: "actions" }, again));
    }
  };
  render();
  if (app.uplink) return;
  const run = checking || measureUplink(call);
  checking = run;
  run.then(({ bits }) => {
    app.uplink = { bits, verdict: verdict(bits, { video }) };
    app.bitrate = bitrateForUplink(bits);
  }, () => {
    app.uplink = { bits: null, verdict: "unknown" };
  }).finally(() => {
    if (checking === run) checking = null;
    if (panel.isConnected) render();
  });
}

// --- practice (never stored, never uploaded) -------------------------------------------

// Offered once: not after it was done or skipped (remembered across reloads), nor once a
// question has been opened, whose think time is running.
function mayPractise() {
  if (app.practised || app.session.progress.answered > 0) return false;
  try {
    if (localStorage.getItem(`oneway-practised/${app.owner}`)) return false;
  } catch { /* storage refused: offered again, nothing worse */ }
  return !app.session.questions.some((q) => q.opened);
}

function practice() {
  const preview = h("video", { class: "preview", muted: true, autoplay: true, playsinline: true, "aria-label": t("devices.camera") });
  const stage = h("div", { class: "stage" }, preview);
  const timer = h("p", { class: "timer", "aria-hidden": "true" });
  const controls = h("div", { class: "actions" });
  const skip = h("button", { type: "button", class: "secondary", "data-action": "skip-practice", onclick: () => done() }, t("practice.skip"));
  const audioOnly = !needsCamera();
  let clock = 0;
  let recorder = null;
  const done = () => {
    window.clearInterval(clock);
    if (recorder) recorder.stop();
    app.practised = true;
    try {
      localStorage.setItem(`oneway-practised/${app.owner}`, "1");
    } catch { /* storage refused: offered again after a reload */ }
    goToNextQuestion();
  };
  const live = () => {
    if (audioOnly) stage.replaceChildren(h("p", { class: "meta" }, t("practice.audioOnly")));
    else {
      preview.srcObject = app.stream;
      stage.replaceChildren(preview);
    }
    timer.textContent = "";
    controls.replaceChildren(h("button", { type: "button", "data-action": "practice-record", onclick: record }, t("practice.record")), skip);
  };
  const record = () => {
    const mimeType = pickMimeType(audioOnly ? "audio" : "video");
    const source = audioOnly ? new MediaStream(app.stream.getAudioTracks()) : app.stream;
    recorder = new ChunkRecorder(source, mimeType, { timeslice: 1000, videoBitsPerSecond: app.bitrate.video, audioBitsPerSecond: audioOnly ? app.bitrate.audioOnly : app.bitrate.audio });
    recorder.start();
    const began = performance.now();
    const stop = h("button", { type: "button", class: "stop", "data-action": "practice-stop", onclick: () => finish() }, t("practice.stop"));
    controls.replaceChildren(stop);
    stop.focus();
    announce(t("practice.announce.start", { seconds: PRACTICE_SECONDS }));
    const tick = () => {
      const elapsed = (performance.now() - began) / 1000;
      timer.textContent = t("practice.timer", { elapsed: Math.floor(elapsed), total: PRACTICE_SECONDS });
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
        ? h("audio", { src: url, controls: true, "aria-label": t("practice.playback") })
        : h("video", { class: "preview", src: url, controls: true, playsinline: true, "aria-label": t("practice.playback") });
      stage.replaceChildren(playback);
      timer.textContent = "";
      announce(t("practice.announce.stopped"));
      controls.replaceChildren(
        h("button", { type: "button", "data-action": "practice-done", onclick: () => done() }, t("practice.done")),
        h("button", { type: "button", class: "secondary", onclick: live }, t("practice.again")),
      );
    };
    tick();
    clock = window.setInterval(tick, 250);
  };
  setRedraw(null);
  show(h("section", { class: "card", "data-view": "practice" },
    h("p", { class: "step" }, t("practice.step")),
    h("h1", {}, t("practice.title")),
    h("p", {}, t("practice.note")),
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
  setRedraw(null); // a question in progress is not redrawn; the views below set their own
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
  const submitLabel = again ? t("finish.submitAgain") : t("finish.submit");
  const submit = h("button", { type: "button", "data-action": "complete" }, submitLabel);
  submit.addEventListener("click", async () => {
    submit.disabled = true;
    submit.textContent = t("finish.submitting");
    setRedraw(null);
    try {
      await call("POST", "/candidate/complete");
      stopStream(app.stream);
      app.stream = null;
      await refreshSession();
      doneView();
    } catch (error) {
      submit.disabled = false;
      submit.textContent = submitLabel;
      setRedraw(finishView);
      message.textContent = serverText(error.message, error.status === 409 ? "finish.notYet" : "errors.generic.message");
      if (error.status === 409 && error.details.length) {
        message.append(" ", h("button", { type: "button", class: "secondary", onclick: () => goToNextQuestion() }, t("finish.goToQuestion")));
      }
    }
  });
  const company = app.session.company.name;
  setRedraw(finishView);
  show(h("section", { class: "card", "data-view": "finish" },
    h("p", { class: "step" }, t("finish.step")),
    h("h1", {}, missed.length ? t("finish.title.missed") : t("finish.title.all")),
    missed.length
      ? h("p", { "data-missed": "" }, t("finish.missed", { count: progress.answered, questions: formatList(missed.map((q) => q.position)), company }))
      : h("p", {}, t("finish.all", { count: progress.total, company })),
    message,
    h("div", { class: "actions" }, submit),
  ));
}

// After an "advanced" decision the interview's booking link is the candidate's next step
// (a calendar page the company chose: https only, opened in a new tab).
function bookingLink(url) {
  if (!url || !/^https:\/\//i.test(url)) return null;
  return h("div", { class: "booking", "data-booking": "" },
    h("h2", {}, t("done.booking.title")),
    h("p", {}, t("done.booking.text")),
    h("p", { class: "actions" }, h("a", { class: "button", href: url, target: "_blank", rel: "noopener noreferrer", "data-action": "book" }, t("done.booking.button"))));
}

function doneView() {
  const { invitation, interview, company } = app.session;
  const feedback = invitation.feedback_given ? h("p", { class: "meta" }, t("feedback.thanksGiven")) : feedbackForm();
  setRedraw(doneView);
  show(h("section", { class: "card", "data-view": "done" },
    h("p", { class: "step ok" }, t("done.step")),
    h("h1", {}, t("done.title", { name: invitation.candidate_name })),
    h("p", { class: "outro", text: interview.outro || t("done.received", { company: company.name }) }),
    invitation.advanced ? bookingLink(interview.booking_url) : null,
    h("h2", {}, t("done.next.title")),
    h("p", {}, t("done.next.text", { company: company.name })),
    feedback,
  ));
}

function feedbackForm() {
  const message = h("p", { class: "message", role: "alert" });
  const options = [1, 2, 3, 4, 5].map((value) => {
    const label = value === 1 ? t("feedback.poor", { value }) : value === 5 ? t("feedback.excellent", { value }) : formatNumber(value);
    return h("label", { class: "rating" }, h("input", { type: "radio", name: "rating", value: String(value) }), h("span", {}, label));
  });
  const comment = h("textarea", { id: "feedback-comment", rows: "3", maxlength: "2000" });
  const send = h("button", { type: "submit" }, t("feedback.send"));
  const form = h("form", { class: "feedback", "data-view": "feedback", novalidate: true },
    h("h2", {}, t("feedback.title")),
    h("fieldset", {}, h("legend", {}, t("feedback.legend")), h("div", { class: "ratings" }, options)),
    h("label", { for: "feedback-comment" }, t("feedback.comment")),
    comment, message,
    h("div", { class: "actions" }, send),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=rating]:checked");
    if (!chosen) {
      message.textContent = t("feedback.chooseRating");
      form.querySelector("input[name=rating]").focus();
      return;
    }
    send.disabled = true;
    try {
      await call("POST", "/candidate/feedback", { rating: Number(chosen.value), comment: comment.value.trim() });
      app.session.invitation.feedback_given = true;
      form.replaceChildren(h("p", { class: "ok", "data-feedback": "sent" }, t("feedback.thanks")));
      announce(t("feedback.thanks"));
    } catch (error) {
      if (error.status === 409) {
        form.replaceChildren(h("p", { class: "ok" }, serverText(error.message, "feedback.thanksGiven")));
        return;
      }
      send.disabled = false;
      message.textContent = serverText(error.message, "errors.generic.message");
    }
  });
  return form;
}

// --- the candidate's own data -----------------------------------------------------------

// Reached from the link in every email; works after the deadline too, since it is about
// the candidate's data, not the interview.
function privacyView() {
  const message = h("p", { class: "message", role: "status", "aria-live": "polite" });
  const download = h("button", { type: "button", "data-action": "download-data" }, t("privacy.download"));
  const remove = h("button", { type: "button", class: "secondary", "data-action": "request-deletion" }, t("privacy.delete"));
  download.addEventListener("click", async () => {
    download.disabled = true;
    message.textContent = t("privacy.preparing");
    try {
      const data = await call("GET", "/candidate/data");
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const link = h("a", { href: URL.createObjectURL(blob), download: "my-interview-data.json", "data-download": "ready" }, t("privacy.save", { file: "my-interview-data.json" }));
      message.className = "ok";
      message.replaceChildren(t("privacy.ready"), " ", link);
      link.click();
    } catch (error) {
      message.className = "message";
      message.textContent = serverText(error.message, "errors.generic.message");
    } finally {
      download.disabled = false;
    }
  });
  remove.addEventListener("click", async () => {
    if (!window.confirm(t("privacy.confirm"))) return;
    remove.disabled = true;
    try {
      const result = await call("POST", "/candidate/deletion-request");
      message.className = "ok";
      message.textContent = t("privacy.requested", { date: formatDateTime(result.deleted_by) });
      announce(message.textContent);
    } catch (error) {
      remove.disabled = false;
      message.className = "message";
      message.textContent = serverText(error.message, "errors.generic.message");
    }
  });
  setRedraw(privacyView);
  show(h("section", { class: "card", "data-view": "privacy" },
    h("h1", {}, t("privacy.title")),
    h("p", {}, t("privacy.intro")),
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
    const text = question ? t("resume.question", { position: question.position }) : t("resume.earlier");
    banner.append(h("div", { class: "card resume" }, h("p", { class: "meta" }, text), uploadPanel(upload)));
    upload.saved.then(() => window.setTimeout(() => banner.replaceChildren(), 3000), () => {});
  }
}

// The interview's language and time zone (the candidate's own choice on this device wins).
async function useLanguageOf(found) {
  const invitation = (found && found.invitation) || {};
  const interview = (found && found.interview) || {};
  const lang = (found && found.language) || invitation.language || interview.language;
  const zone = (found && found.time_zone) || invitation.time_zone || interview.time_zone || null;
  await setLanguage(preferredLanguage(lang), { timeZone: zone });
}

// An error page still wears the company's brand and speaks the invitation's language where
// the link says whose it is: a closed interview (past its deadline) asks for its branding, a
// replaced link's error names the company and the language.
async function brandFailure(error) {
  let found = null;
  if (error.code === "link_replaced") {
    const replaced = replacedDetails(error.details);
    found = { language: replaced.language, company: replaced.company_name ? { name: replaced.company_name } : null };
  } else if (error.status === 410) {
    found = await call("GET", "/candidate/branding").catch(() => null);
  }
  await useLanguageOf(found);
  app.company = (found && found.company) || null;
  app.supportContact = (found && found.support_contact) || null;
  applyBrand(app.company);
  renderChrome();
}

async function boot() {
  if (!token) {
    await useLanguageOf(null);
    renderChrome();
    fatal(() => t("errors.noToken.title"), () => t("errors.noToken.message"));
    return;
  }
  if (requestedView === "privacy") {
    // Branding and language only: the data itself is fetched (and audited) on request.
    const found = await call("GET", "/candidate/branding").catch(() => null);
    await useLanguageOf(found);
    app.company = found && found.company;
    applyBrand(app.company);
    renderChrome();
    privacyView();
    return;
  }
  try {
    await refreshSession();
  } catch (error) {
    await brandFailure(error);
    showApiFailure(error);
    return;
  }
  await useLanguageOf(app.session);
  applyBrand(app.session.company);
  renderChrome();
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
  // The accommodation request panel (its own module) fills the landing page's slot.
  await import("./accommodation.js").catch(() => null);
  landing();
}

// A different link pasted into the same tab is a different invitation: start over.
window.addEventListener("hashchange", () => window.location.reload());
boot();
