// The console's shell: who is signed in, the top bar, and a hash router to the pages.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { AnalyticsPage } from "./analytics.js";
import { AuditPage } from "./audit.js";
import { ApiKeysPage } from "./api_keys.js";
import { SignedOut } from "./auth.js";
import { EditorPage } from "./editor.js";
import { EmailsPage } from "./emails.js";
import { InterviewSettingsPage } from "./interview_settings.js";
import { InterviewsPage } from "./interviews.js";
import { InvitePage } from "./invite.js";
import { LibraryPage } from "./library.js";
import { PipelinePage } from "./pipeline.js";
import { RetentionPage } from "./retention.js";
import { ReviewPage } from "./review.js";
import { authed, onSignOut, signedIn, signOut } from "./session.js";
import { SettingsPage } from "./settings.js";
import { TeamPage } from "./team.js";
import { UsagePage } from "./usage.js";
import { html, link } from "./ui.js";
import { WebhooksPage } from "./webhooks.js";

function currentRoute() {
  const raw = window.location.hash.replace(/^#\/?/, "");
  return raw.split("/").filter(Boolean).map(decodeURIComponent);
}

function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => {
      setRoute(currentRoute());
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

function page(route, me) {
  const [first, id, sub] = route;
  const props = { me, isAdmin: me.recruiter.role === "admin" };
  if (!first || first === "interviews") {
    if (!id) return html`<${InterviewsPage} ...${props} />`;
    if (id === "new") return html`<${EditorPage} ...${props} />`;
    if (sub === "edit") return html`<${EditorPage} ...${props} interviewId=${id} />`;
    if (sub === "invite") return html`<${InvitePage} ...${props} interviewId=${id} />`;
    if (sub === "analytics") return html`<${AnalyticsPage} ...${props} interviewId=${id} />`;
    if (sub === "settings") return html`<${InterviewSettingsPage} ...${props} interviewId=${id} />`;
    return html`<${PipelinePage} ...${props} interviewId=${id} />`;
  }
  if (first === "candidates" && id) return html`<${ReviewPage} ...${props} invitationId=${id} key=${id} />`;
  if (first === "team") return html`<${TeamPage} ...${props} />`;
  if (first === "settings" && id === "retention") return html`<${RetentionPage} ...${props} />`;
  if (first === "settings") return html`<${SettingsPage} ...${props} />`;
  if (first === "audit") return html`<${AuditPage} ...${props} />`;
  if (first === "webhooks") return html`<${WebhooksPage} ...${props} />`;
  if (first === "library") return html`<${LibraryPage} ...${props} />`;
  if (first === "usage") return html`<${UsagePage} ...${props} />`;
  if (first === "emails") return html`<${EmailsPage} ...${props} />`;
  if (first === "api-keys") return html`<${ApiKeysPage} ...${props} />`;
  return html`<main class="page"><h1>Not found</h1><p><a href="#/interviews">Back to interviews</a></p></main>`;
}

function TopBar({ me, route, onSignOut: leave }) {
  const isAdmin = me.recruiter.role === "admin";
  const section = route[0] || "interviews";
  const item = (name, label) =>
    html`<a href=${link(name)} aria-current=${section === name ? "page" : undefined}>${label}</a>`;
  return html`<header class="topbar">
    <a class="brand" href="#/interviews">
      ${me.company.logo_url
        ? html`<img src=${me.company.logo_url} alt="" class="brand-logo" />`
        : html`<span class="brand-mark" style=${{ background: me.company.brand_color || "#1a56db" }} aria-hidden="true"></span>`}
      <span>Oneway</span>
    </a>
    <nav aria-label="Main">
      ${item("interviews", "Interviews")} ${item("library", "Library")} ${isAdmin && item("team", "Team")} ${item("usage", "Usage")}
      ${isAdmin && item("settings", "Settings")} ${isAdmin && item("emails", "Emails")} ${isAdmin && item("api-keys", "API keys")}
      ${isAdmin && item("audit", "Audit log")} ${isAdmin && item("webhooks", "Webhooks")}
    </nav>
    <div id="signed-in" class="who">
      <span class="who-text">
        <strong data-field="company">${me.company.name}</strong>
        <span class="meta"><span data-field="name">${me.recruiter.name}</span> · <span data-field="role">${me.recruiter.role}</span></span>
      </span>
      <button id="signout" class="secondary small" type="button" onClick=${leave}>Sign out</button>
    </div>
  </header>`;
}

function App() {
  const [me, setMe] = useState(null);
  const [checking, setChecking] = useState(signedIn());
  const [message, setMessage] = useState("");
  const route = useRoute();

  const loadMe = async () => {
    const who = await authed("/me");
    setMessage("");
    setMe(who);
  };

  useEffect(() => {
    const stop = onSignOut((why) => {
      setMe(null);
      setMessage(why);
    });
    if (signedIn()) loadMe().catch(() => {}).finally(() => setChecking(false));
    const refreshMe = (event) => setMe((old) => (old ? { ...old, ...event.detail } : old));
    window.addEventListener("oneway:me", refreshMe);
    return () => {
      stop();
      window.removeEventListener("oneway:me", refreshMe);
    };
  }, []);

  if (checking) return html`<main class="page"><p class="meta">Loading…</p></main>`;
  if (!me) return html`<${SignedOut} message=${message} onSignedIn=${loadMe} />`;
  return html`<div class="shell">
    <${TopBar} me=${me} route=${route} onSignOut=${() => signOut("You signed out.")} />
    ${page(route, me)}
  </div>`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
