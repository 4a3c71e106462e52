// Sign-in, sign-up, token refresh and sign-out; every user-supplied text goes in via textContent.
import { api, ApiError } from "/shared/api.js";

const store = window.sessionStorage;
const $ = (selector) => document.querySelector(selector);

function saveTokens(tokens) {
  store.setItem("id_token", tokens.id_token);
  if (tokens.refresh_token) store.setItem("refresh_token", tokens.refresh_token);
}

async function authed(path, options = {}) {
  const call = () =>
    api(path, { ...options, headers: { Authorization: `Bearer ${store.getItem("id_token")}` } });
  try {
    return await call();
  } catch (error) {
    const refreshToken = store.getItem("refresh_token");
    if (!(error instanceof ApiError) || error.status !== 401 || !refreshToken) throw error;
    saveTokens(await api("/auth/refresh", { method: "POST", body: { refresh_token: refreshToken } }));
    return call();
  }
}

function describe(error) {
  if (!(error instanceof ApiError)) return "We could not reach the server. Check your connection.";
  const fields = error.details.map((d) => `${d.field}: ${d.message}`).join("; ");
  return fields ? `${error.message} (${fields})` : error.message;
}

async function showAccount() {
  if (!store.getItem("id_token")) return;
  try {
    const me = await authed("/me");
    $('[data-field="name"]').textContent = me.recruiter.name;
    $('[data-field="company"]').textContent = me.company.name;
    $('[data-field="role"]').textContent = me.recruiter.role;
    $('[data-field="email"]').textContent = me.recruiter.email;
    $("#signed-out").hidden = true;
    $("#signed-in").hidden = false;
  } catch {
    store.clear();
  }
}

function handle(form, submit) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = form.querySelector("[data-error]");
    message.textContent = "";
    const values = Object.fromEntries(new FormData(form));
    try {
      await submit(values);
      await showAccount();
    } catch (error) {
      message.textContent = describe(error);
    }
  });
}

handle($("#signin"), async (values) => saveTokens(await api("/auth/signin", { method: "POST", body: values })));
handle($("#signup"), async (values) => {
  const result = await api("/auth/signup", { method: "POST", body: values });
  saveTokens(result.tokens);
});
$("#signout").addEventListener("click", () => {
  store.clear();
  $("#signed-in").hidden = true;
  $("#signed-out").hidden = false;
});
showAccount();
