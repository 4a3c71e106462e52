// Tokens in sessionStorage, and `authed()`: one API call as the signed-in recruiter that
// refreshes the ID token once on a 401, then signs out with a message if that fails too.
import { api, ApiError } from "/shared/api.js";

const store = window.sessionStorage;
const listeners = new Set();
let refreshing = null;

export const SESSION_ENDED = "Your session has ended. Please sign in again.";

export function signedIn() {
  return Boolean(store.getItem("id_token"));
}

export function saveTokens(tokens) {
  store.setItem("id_token", tokens.id_token);
  if (tokens.refresh_token) store.setItem("refresh_token", tokens.refresh_token);
}

/** Forget the tokens and tell the app (which shows the sign-in page with `message`). */
export function signOut(message = "") {
  store.removeItem("id_token");
  store.removeItem("refresh_token");
  for (const listener of listeners) listener(message);
}

export function onSignOut(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function refreshOnce() {
  // Parallel requests that all got a 401 share one refresh.
  if (!refreshing) {
    const refreshToken = store.getItem("refresh_token");
    refreshing = (
      refreshToken
        ? api("/auth/refresh", { method: "POST", body: { refresh_token: refreshToken } })
        : Promise.reject(new ApiError(401, null))
    )
      .then(saveTokens)
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

export async function authed(path, options = {}) {
  const call = () =>
    api(path, {
      ...options,
      headers: { ...(options.headers || {}), Authorization: `Bearer ${store.getItem("id_token")}` },
    });
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    try {
      await refreshOnce();
    } catch {
      signOut(SESSION_ENDED);
      throw error;
    }
    try {
      return await call();
    } catch (again) {
      if (again instanceof ApiError && again.status === 401) signOut(SESSION_ENDED);
      throw again;
    }
  }
}
