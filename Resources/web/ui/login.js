// The sign-in screen: log in, or create an account and log in.

import { Api } from "../api.js";
import { $ } from "./dom.js";

export function showLogin(onSession) {
  $("app").hidden = true;
  $("login").hidden = false;
  const form = $("login-form");
  const api = new Api();
  const error = $("login-error");

  async function go(register) {
    error.textContent = "";
    if (!form.reportValidity()) return;
    const username = $("login-username").value.trim().toLowerCase();
    const password = $("login-password").value;
    try {
      if (register) await api.register(username, password);
      const login = await api.login(username, password);
      $("login-password").value = "";
      onSession({ token: login.token, user_id: login.user_id, username, expires_at: login.expires_at });
    } catch (e) {
      error.textContent = e.status === 409 ? "That username is taken."
        : e.status === 401 ? "Wrong username or password."
        : e.status === 403 ? "This account is banned."
        : e.status === 429 ? "Too many attempts; wait a moment."
        : e.message || "Could not reach the server.";
    }
  }

  form.onsubmit = (event) => { event.preventDefault(); go(false); };
  $("register-submit").onclick = () => go(true);
  $("login-username").focus();
}
