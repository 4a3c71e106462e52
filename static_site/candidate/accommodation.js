// "Need an adjustment?" on the landing page: before starting, the candidate may ask for more
// time, audio instead of video, or a later deadline; then they see what became of it.
// It fills the slot candidate.js leaves on the landing page (the `oneway:landing` event);
// the panel is not a <form> of its own, because the slot sits inside the landing form.
import { language, t } from "/shared/i18n.js";
import { announce, h } from "./dom.js";

const KINDS = ["more_time", "audio_instead_of_video", "later_deadline"];
const MAX_NOTE = 1000;

// Server wording is English: other languages say it in their own words.
function failure(error) {
  if (error.network) return t("errors.offline.message");
  if (language() === "en" && error.message) return error.message;
  if (error.status === 409) return t("accommodation.error.closed");
  if (error.status === 429) return t("accommodation.error.tooMany");
  return t("accommodation.error.generic");
}

function kindList(kinds) {
  return h("ul", { class: "accommodation-kinds" },
    kinds.map((kind) => h("li", { "data-kind": kind }, t(`accommodation.kind.${kind}`))));
}

function granted(invitation, request) {
  const kinds = request.kinds || [];
  return h("div", { class: "ok", "data-accommodation": "granted", role: "status" },
    h("p", {}, h("strong", {}, t("accommodation.granted.title"))),
    h("ul", {},
      kinds.includes("more_time")
        ? h("li", {}, t("accommodation.granted.more_time", { factor: Number(invitation.time_multiplier || 1) }))
        : null,
      kinds.includes("audio_instead_of_video") ? h("li", {}, t("accommodation.granted.audio_instead_of_video")) : null,
      kinds.includes("later_deadline") ? h("li", {}, t("accommodation.granted.later_deadline")) : null,
    ));
}

function askForm(app, slot, questions, again) {
  const hasVideo = questions.some((q) => q.answer_type === "video");
  const offered = KINDS.filter((kind) => kind !== "audio_instead_of_video" || hasVideo);
  const boxes = offered.map((kind) => h("input", { type: "checkbox", id: `accommodation-${kind}`, name: "accommodation", value: kind }));
  const note = h("textarea", { id: "accommodation-note", rows: "3", maxlength: String(MAX_NOTE), "aria-describedby": "accommodation-note-hint" });
  const message = h("p", { class: "message", role: "alert", id: "accommodation-message" });
  const send = h("button", { type: "button", class: "secondary", "data-action": "ask-accommodation" }, t("accommodation.submit"));
  send.addEventListener("click", async () => {
    const kinds = boxes.filter((box) => box.checked).map((box) => box.value);
    if (!kinds.length) {
      message.textContent = t("accommodation.error.chooseOne");
      boxes[0].focus();
      return;
    }
    send.disabled = true;
    send.textContent = t("accommodation.sending");
    message.textContent = "";
    try {
      const reply = await app.call("POST", "/candidate/accommodation-request", { kinds, note: note.value.trim() });
      app.session.invitation.accommodation = reply.accommodation;
      render(app, slot);
      announce(t("accommodation.pending", { company: app.session.company.name }));
    } catch (error) {
      send.disabled = false;
      send.textContent = t("accommodation.submit");
      message.textContent = failure(error);
    }
  });
  return h("details", { class: "accommodation-ask", open: false },
    h("summary", {}, again ? t("accommodation.askAgain") : t("accommodation.open")),
    h("p", {}, t("accommodation.intro", { company: app.session.company.name })),
    h("fieldset", {},
      h("legend", {}, t("accommodation.legend")),
      offered.map((kind, i) => h("div", { class: "check" }, boxes[i], h("label", { for: `accommodation-${kind}` }, t(`accommodation.kind.${kind}`))))),
    h("label", { for: "accommodation-note" }, t("accommodation.note.label")),
    note,
    h("p", { class: "meta", id: "accommodation-note-hint" }, t("accommodation.note.hint", { max: MAX_NOTE })),
    message,
    h("div", { class: "actions" }, send));
}

// The panel for the current state of the candidate's request.
export function render(app, slot) {
  const { invitation, company, questions } = app.session;
  const state = invitation.accommodation || { may_request: false, request: null };
  const request = state.request;
  const parts = [];
  if (request && request.status === "pending") {
    parts.push(h("div", { class: "notice", "data-accommodation": "pending", role: "status" },
      h("p", {}, h("strong", {}, t("accommodation.pending", { company: company.name }))),
      h("p", {}, t("accommodation.asked")),
      kindList(request.kinds || [])));
  } else if (request && request.status === "granted") {
    parts.push(granted(invitation, request));
  } else if (request && request.status === "declined") {
    parts.push(h("div", { class: "notice", "data-accommodation": "declined", role: "status" },
      h("p", {}, t("accommodation.declined", { company: company.name }))));
  }
  if (state.may_request) parts.push(askForm(app, slot, questions, Boolean(request)));
  if (!parts.length) {
    slot.replaceChildren();
    return;
  }
  slot.replaceChildren(h("section", { class: "accommodation", id: "accommodation", "aria-labelledby": "accommodation-title" },
    h("h2", { id: "accommodation-title" }, t("accommodation.title")),
    ...parts));
}

document.addEventListener("oneway:landing", (event) => {
  const { app, slot } = event.detail;
  if (app && slot && app.session) render(app, slot);
});
