// Team: who can sign in to this company, inviting a recruiter, changing a role, removing one.
import { authed } from "./session.js";
import { ErrorBox, Field, formValues, html, Loading, useAction, useLoad } from "./ui.js";
import { useState } from "preact/hooks";

export function TeamPage({ me, isAdmin }) {
  const state = useLoad(() => authed("/team"), []);
  const [flash, setFlash] = useState("");
  const add = useAction(async (form) => {
    const values = formValues(form);
    const recruiter = await authed("/team", { method: "POST", body: values });
    form.reset();
    setFlash(`${recruiter.name || values.name} was invited as ${recruiter.role || values.role}. They get an email with a temporary password.`);
    state.reload();
  });
  const remove = useAction(async (person) => {
    if (!window.confirm(`Remove ${person.name} (${person.email})? They are signed out and can no longer sign in.`)) return;
    await authed(`/team/${encodeURIComponent(person.user_id)}`, { method: "DELETE" });
    setFlash(`${person.name} was removed.`);
    state.reload();
  });
  const changeRole = useAction(async (person, role) => {
    if (role === person.role) return;
    await authed(`/team/${encodeURIComponent(person.user_id)}`, { method: "PATCH", body: { role } });
    setFlash(`${person.name} is now ${role === "admin" ? "an admin" : "a reviewer"}, from their next click on.`);
    state.reload();
  });
  if (!isAdmin) return html`<main class="page"><h1>Team</h1><p class="notice">Only a company admin can manage the team.</p></main>`;
  return html`<main class="page" id="team-page">
    <h1>Team</h1>
    ${flash && html`<p class="ok" role="status" id="team-flash">${flash}</p>`}
    <${ErrorBox} error=${remove.error || changeRole.error} />
    <section class="card">
      <${Loading} state=${state}>
        ${() => html`<div class="table-wrap"><table class="table" id="team-table">
          <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            ${state.data.recruiters.map(
              (person) => html`<tr data-user=${person.user_id}>
                <td>${person.name}</td><td>${person.email}</td>
                <td>${person.user_id === me.recruiter.user_id
                  ? person.role
                  : html`<select class="small" aria-label=${`Role of ${person.name}`} disabled=${changeRole.busy}
                      onChange=${(e) => changeRole.run(person, e.currentTarget.value)}>
                      <option value="reviewer" selected=${person.role === "reviewer"}>reviewer</option>
                      <option value="admin" selected=${person.role === "admin"}>admin</option>
                    </select>`}</td>
                <td>${person.user_id === me.recruiter.user_id
                  ? html`<span class="meta">You</span>`
                  : html`<button type="button" class="secondary small danger" disabled=${remove.busy}
                      aria-label=${`Remove ${person.name}`} onClick=${() => remove.run(person)}>Remove</button>`}</td>
              </tr>`,
            )}
          </tbody>
        </table></div>`}
      <//>
    </section>
    <form class="card" id="team-invite" novalidate onSubmit=${(e) => (e.preventDefault(), add.run(e.currentTarget))}>
      <h2>Invite a recruiter</h2>
      <div class="row tight">
        <${Field} id="team-name" label="Name" name="name" required autocomplete="off" />
        <${Field} id="team-email" label="Email" name="email" type="email" required autocomplete="off" />
        <${Field} id="team-role" label="Role">
          <select id="team-role" name="role">
            <option value="reviewer">Reviewer</option>
            <option value="admin">Admin</option>
          </select>
        <//>
      </div>
      <p class="meta">Reviewers read, review, comment and share. Admins also edit interviews, invite candidates and manage the team.</p>
      <${ErrorBox} error=${add.error} />
      <button type="submit" disabled=${add.busy}>Send invitation</button>
    </form>
  </main>`;
}
