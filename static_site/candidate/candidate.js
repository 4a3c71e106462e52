// The token lives in the URL fragment, which browsers never send to servers or in Referer.
import { api, ApiError } from "/shared/api.js";

const token = new URLSearchParams(window.location.hash.slice(1)).get("token") || "";
const status = document.getElementById("status");
const field = (name) => document.querySelector(`[data-field="${name}"]`);

async function open() {
  if (!token) {
    status.textContent = "This page needs the personal link from your invitation email. Open that link again.";
    return;
  }
  try {
    const invitation = await api("/candidate/invitation", { headers: { "X-Invitation-Token": token } });
    field("company").textContent = invitation.company_name;
    field("name").textContent = invitation.candidate_name;
    field("questions").textContent = String(invitation.questions);
    field("deadline").textContent = new Date(invitation.deadline).toLocaleString();
    document.getElementById("summary").hidden = false;
    status.textContent = "Your interview is ready.";
  } catch (error) {
    status.textContent = error instanceof ApiError
      ? error.message
      : "We could not reach the server. Check your connection and reload this page.";
    status.className = "error";
  }
}

// A different link pasted into the same tab is a different invitation: start over.
window.addEventListener("hashchange", () => window.location.reload());
open();
