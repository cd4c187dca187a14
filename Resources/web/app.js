// Entry point: the session in localStorage, the sign-in screen or the app.

import { Client } from "./client.js";
import { $, toast } from "./ui/dom.js";
import { showLogin } from "./ui/login.js";
import { renderSidebar } from "./ui/sidebar.js";
import { ChatView } from "./ui/chat.js";
import { Composer } from "./ui/composer.js";
import { SearchView } from "./ui/search.js";

const SESSION_KEY = "roost.session";

function loadSession() {
  try {
    const session = JSON.parse(localStorage.getItem(SESSION_KEY));
    if (session && session.token && (!session.expires_at || session.expires_at > Date.now())) return session;
  } catch { /* none */ }
  return null;
}

function stateText(state, info) {
  if (state === "online") return "Connected";
  if (state === "connecting") return "Connecting…";
  if (state === "stopped") return info ? `Disconnected (${info})` : "Disconnected";
  return navigator.onLine === false ? "Offline" : "Offline, reconnecting…";
}

function start(session) {
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  $("login").hidden = true;
  $("app").hidden = false;
  $("me-name").textContent = session.username;
  const client = new Client(session);
  const chat = new ChatView(client);
  window.roost = client; // for the browser test and curious users
  let search = null;       // the SearchView, made once `open` exists

  const open = (conversation) => {
    client.active = conversation;
    $("app").classList.add("in-chat");
    chat.open(conversation);
    renderSidebar(client, open);
    if (search) search.scopeLabel();
    client.markRead();
    $("message-input").focus();
  };
  const closeChat = () => {
    client.active = null;
    $("app").classList.remove("in-chat");
    chat.close();
    renderSidebar(client, open);
    if (search) search.scopeLabel();
  };

  let queued = 0;
  client.addEventListener("state", (e) => {
    const node = $("conn-state");
    node.dataset.state = e.detail.state;
    queued = client.outbox.length;
    node.textContent = stateText(e.detail.state, e.detail.info) + (queued && e.detail.state !== "online" ? ` · ${queued} queued` : "");
    if (e.detail.state === "online") client.markRead();
    chat.render();
  });
  client.addEventListener("change", () => {
    if (client.active && !client.conversations.has(client.active)) closeChat();
    renderSidebar(client, open);
    chat.render();
    if (client.outbox.length !== queued) client.dispatchEvent(new CustomEvent("state", { detail: { state: client.socket.state } }));
  });
  client.addEventListener("typing", () => chat.typing());
  client.addEventListener("problem", (e) => toast(e.detail.error.message || String(e.detail.error)));
  const kickedText = { banned: "This account has been banned.", deleted: "This account was removed.",
                       revoked: "Signed out (logout or password change)." };
  client.addEventListener("kicked", (e) => toast(kickedText[e.detail.reason]
                                                || `Disconnected by the server (${e.detail.reason}).`));
  client.addEventListener("signedout", () => signOut());

  function signOut() {
    client.stop();
    localStorage.removeItem(SESSION_KEY);
    location.reload();
  }

  $("logout").onclick = signOut;
  $("back").onclick = closeChat;
  $("new-chat").onsubmit = async (event) => {
    event.preventDefault();
    const input = $("new-chat-username");
    try {
      const conversation = await client.conversationWith(input.value);
      input.value = "";
      open(conversation);
    } catch (e) {
      toast(e.status === 404 ? `No user named “${input.value.trim()}”.` : e.message);
    }
  };

  dialogForm("group", () => ["new-group"], async () => {
    const names = $("group-members").value.split(",").map((s) => s.trim()).filter(Boolean);
    open(await client.createGroup($("group-name").value, names));
    $("group-name").value = "";
    $("group-members").value = "";
  });
  dialogForm("member", () => ["add-member"], async () => {
    const names = $("member-names").value.split(",").map((s) => s.trim()).filter(Boolean);
    await client.addMembers(client.active, names);
    $("member-names").value = "";
    chat.header();
  });
  $("block-user").onclick = async () => {
    const peer = client.active && client.active.startsWith("u:") ? client.active.slice(2) : null;
    if (!peer) return;
    const blocking = !client.blocked.has(peer);
    if (blocking && !confirm(`Block ${client.title(client.active)}? They can no longer message you or see you online.`)) return;
    try {
      await client.setBlocked(peer, blocking); // its "change" re-renders the chat and its header
    } catch (e) { toast(e.message); }
  };
  $("leave-group").onclick = async () => {
    if (!confirm(`Leave “${client.title(client.active)}”?`)) return;
    try {
      await client.leave(client.active);
      closeChat();
    } catch (e) { toast(e.message); }
  };

  new Composer(client, chat);
  search = new SearchView(client, async (conversation, messageId) => {
    if (client.active !== conversation) open(client.ensureConversation(conversation));
    await chat.reveal(messageId);
  });
  $("file-input").onchange = async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file || !client.active) return;
    if (!client.socket.online) return toast("Files can be sent when connected.");
    try {
      await client.sendFile(client.active, file);
    } catch (e) {
      toast(e.status === 413 ? "That file is too large." : `Upload failed: ${e.message}`);
    }
  };
  document.addEventListener("visibilitychange", () => client.markRead());
  setInterval(() => chat.typing(), 1000);
  setInterval(() => chat.render(), 30_000); // recall buttons expire with the window

  client.start().catch((e) => toast(e.message));
}

function dialogForm(name, openers, submit) {
  const dialog = $(`${name}-dialog`);
  const error = $(`${name}-error`);
  for (const id of openers()) {
    $(id).onclick = () => { error.textContent = ""; dialog.showModal(); };
  }
  $(`${name}-cancel`).onclick = () => dialog.close();
  $(`${name}-form`).onsubmit = async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await submit();
      dialog.close();
    } catch (e) {
      error.textContent = e.status === 404 ? "No such user." : e.message;
    }
  };
}

const session = loadSession();
if (session) start(session);
else showLogin(start);
