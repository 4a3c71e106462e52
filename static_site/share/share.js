// A read-only candidate opened from `/share/#token=…`: no sign-in, the token goes in a header.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "/shared/api.js";
import { AnswerView } from "/shared/answers.js";
import { describe, formatDate, html } from "/shared/ui.js";

function tokenFromFragment() {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const token = params.get("token");
  if (token) window.sessionStorage.setItem("share_token", token);
  return token || window.sessionStorage.getItem("share_token") || "";
}

function Shared() {
  const [token] = useState(tokenFromFragment);
  const [state, setState] = useState({ loading: true });
  const [speed, setSpeed] = useState(1);
  useEffect(() => {
    if (!token) {
      setState({ message: "This link is incomplete. Ask the person who shared it for the full link." });
      return;
    }
    // Keep the token out of the address bar (and of screenshots and history) once read.
    window.history.replaceState(null, "", window.location.pathname);
    api("/shared", { headers: { "X-Share-Token": token } }).then(
      (data) => setState({ data }),
      (error) =>
        setState({
          message:
            error instanceof ApiError && error.status === 410 && error.details.some((d) => d.problem === "creator_removed")
              ? error.message
              : error instanceof ApiError && error.status === 410
              ? "This share link has expired or was revoked. Ask the person who shared it for a new one."
              : error instanceof ApiError && error.status === 404
                ? "This share link is not valid."
                : describe(error),
        }),
    );
  }, []);

  if (state.loading) return html`<main class="page share-page"><p class="meta">Loading the shared answers…</p></main>`;
  if (state.message) {
    return html`<main class="page share-page"><h1>Shared candidate</h1><p class="notice" role="alert" id="share-error">${state.message}</p></main>`;
  }
  const { invitation, interview, answers, company } = state.data;
  if (company && company.brand_color) document.documentElement.style.setProperty("--brand", company.brand_color);
  const name = invitation.candidate_name || invitation.candidate_label || "Candidate";
  return html`<main class="page share-page" id="shared">
    <header class="share-banner">
      ${company && company.logo_url && html`<img src=${company.logo_url} alt="" />`}
      <div>
        ${interview.company_name && html`<p class="meta" id="shared-company">${interview.company_name}</p>`}
        <p class="meta" id="shared-title">${interview.title}</p>
        <h1 id="shared-name">${name}</h1>
      </div>
    </header>
    <p class="meta">
      A read-only view shared with you${invitation.completed_at ? ` · completed ${formatDate(invitation.completed_at)}` : ""}.
      Do not forward this link.
    </p>
    ${answers.map(
      (answer, i) => html`<${AnswerView} key=${answer.question_id} answer=${answer} index=${i} total=${answers.length}
        speed=${speed} setSpeed=${setSpeed} />`,
    )}
  </main>`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${Shared} />`, root);
