// Signed-out pages: sign in (with the first-sign-in new password step) and company sign-up.
import { useState } from "preact/hooks";
import { api } from "/shared/api.js";
import { saveTokens } from "./session.js";
import { ErrorBox, Field, formValues, html, useAction } from "./ui.js";

export function SignedOut({ message, onSignedIn }) {
  const [challenge, setChallenge] = useState(null);
  return html`<main class="page auth-page" id="signed-out">
    <header class="auth-head">
      <h1>Oneway</h1>
      <p class="meta">One-way video interviews for your hiring team.</p>
    </header>
    ${message && html`<p class="notice" role="status" id="signed-out-message">${message}</p>`}
    <div class="row">
      ${challenge
        ? html`<${NewPassword} challenge=${challenge} onDone=${onSignedIn} onCancel=${() => setChallenge(null)} />`
        : html`<${SignIn} onSignedIn=${onSignedIn} onChallenge=${setChallenge} />`}
      ${!challenge && html`<${SignUp} onSignedIn=${onSignedIn} />`}
    </div>
  </main>`;
}

function SignIn({ onSignedIn, onChallenge }) {
  const action = useAction(async (values) => {
    const reply = await api("/auth/signin", { method: "POST", body: values });
    if (reply && reply.challenge === "NEW_PASSWORD_REQUIRED") {
      onChallenge({ email: values.email, session: reply.session });
      return;
    }
    saveTokens(reply);
    await onSignedIn();
  });
  const submit = (event) => {
    event.preventDefault();
    action.run(formValues(event.currentTarget));
  };
  return html`<form id="signin" class="card" novalidate onSubmit=${submit}>
    <h2>Sign in</h2>
    <${Field} id="signin-email" label="Email" name="email" type="email" autocomplete="username" required />
    <${Field} id="signin-password" label="Password" name="password" type="password" autocomplete="current-password" required />
    <${ErrorBox} error=${action.error} />
    <button type="submit" disabled=${action.busy}>Sign in</button>
  </form>`;
}

function NewPassword({ challenge, onDone, onCancel }) {
  const [mismatch, setMismatch] = useState(false);
  const action = useAction(async (password) => {
    const tokens = await api("/auth/new-password", {
      method: "POST",
      body: { email: challenge.email, session: challenge.session, new_password: password },
    });
    saveTokens(tokens);
    await onDone();
  });
  const submit = (event) => {
    event.preventDefault();
    const values = formValues(event.currentTarget);
    const differs = values.new_password !== values.confirm;
    setMismatch(differs);
    if (!differs) action.run(values.new_password);
  };
  return html`<form id="new-password" class="card" novalidate onSubmit=${submit}>
    <h2>Choose your password</h2>
    <p class="meta">
      Welcome! You signed in as <strong>${challenge.email}</strong> with a temporary password.
      Choose your own to continue.
    </p>
    <${Field} id="new-password-value" label="New password (at least 10 characters)" name="new_password"
      type="password" autocomplete="new-password" minlength="10" required />
    <${Field} id="new-password-confirm" label="Type it again" name="confirm" type="password"
      autocomplete="new-password" required />
    ${mismatch && html`<p class="error" role="alert">The two passwords are different.</p>`}
    <${ErrorBox} error=${action.error} />
    <div class="actions">
      <button type="submit" disabled=${action.busy}>Save password and sign in</button>
      <button type="button" class="secondary" onClick=${onCancel}>Back</button>
    </div>
  </form>`;
}

function SignUp({ onSignedIn }) {
  const action = useAction(async (values) => {
    const result = await api("/auth/signup", { method: "POST", body: values });
    saveTokens(result.tokens);
    await onSignedIn();
  });
  const submit = (event) => {
    event.preventDefault();
    action.run(formValues(event.currentTarget));
  };
  return html`<form id="signup" class="card" novalidate onSubmit=${submit}>
    <h2>Create a company account</h2>
    <${Field} id="signup-company" label="Company name" name="company_name" required />
    <${Field} id="signup-name" label="Your name" name="name" autocomplete="name" required />
    <${Field} id="signup-email" label="Work email" name="email" type="email" autocomplete="email" required />
    <${Field} id="signup-password" label="Password (at least 10 characters)" name="password" type="password"
      autocomplete="new-password" minlength="10" required />
    <${ErrorBox} error=${action.error} />
    <button type="submit" disabled=${action.busy}>Create account</button>
  </form>`;
}
