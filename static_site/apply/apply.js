// Public apply link: the code is in the fragment, so it never reaches server logs.
import { api, ApiError } from "/shared/api.js";

const code = new URLSearchParams(window.location.hash.slice(1)).get("code") || "";
const form = document.getElementById("apply");
const status = document.getElementById("status");

function say(message, isError = false) {
  status.textContent = message;
  status.className = isError ? "error" : "ok";
}

async function load() {
  if (!code) return say("This page needs the application link you were given.", true);
  try {
    const info = await api(`/apply/${encodeURIComponent(code)}`);
    document.getElementById("company").textContent = info.company.name;
    document.getElementById("title").textContent = info.interview.title;
    document.getElementById("role").textContent = info.interview.role_description;
    if (info.company.brand_color) document.documentElement.style.setProperty("--brand", info.company.brand_color);
    form.hidden = false;
  } catch (error) {
    say(error instanceof ApiError ? error.message : "We could not reach the server. Please reload.", true);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const problem = form.querySelector("[data-error]");
  problem.textContent = "";
  const values = Object.fromEntries(new FormData(form));
  try {
    const result = await api(`/apply/${encodeURIComponent(code)}`, { method: "POST", body: values });
    form.hidden = true;
    say(result.message);
  } catch (error) {
    if (error instanceof ApiError && error.details.length) {
      problem.textContent = "Please check your " + error.details.map((d) => d.field).join(" and ") + ".";
    } else {
      problem.textContent = error instanceof ApiError ? error.message : "We could not reach the server. Please try again.";
    }
  }
});

load();
