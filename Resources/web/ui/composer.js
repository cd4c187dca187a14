// The message composer: send on Enter (Shift+Enter for a new line), typing
// notifications, a reply bar ("Replying to …") or an edit bar ("Editing"),
// ↑ in an empty composer to edit my last message, and `@name` suggestions
// among the conversation's participants.

import { $, el, toast } from "./dom.js";
import { summary } from "./chat.js";

const EDIT_WINDOW_MS = 24 * 3600_000;
const MAX_SUGGESTIONS = 6;

export class Composer {
  constructor(client, chat) {
    this.client = client;
    this.chat = chat;
    chat.composer = this;
    this.input = $("message-input");
    this.mode = null;        // { kind: "reply" | "edit", message, draft? }
    this.suggestions = [];   // [{ user_id, username }]
    this.selected = 0;
    this.mentionAt = null;   // { start, end } of the `@prefix` being completed

    $("composer").onsubmit = (event) => {
      event.preventDefault();
      this.submit();
    };
    $("context-cancel").onclick = () => { this.cancel(); this.input.focus(); };
    this.input.addEventListener("input", () => {
      this.resize();
      this.suggest();
      const c = this.client;
      if (c.active && this.input.value && c.socket.online && !(this.mode && this.mode.kind === "edit")) c.typingTo(c.active);
    });
    this.input.addEventListener("keydown", (event) => this.keydown(event));
    this.input.addEventListener("blur", () => setTimeout(() => {
      if (document.activeElement !== this.input) this.hideSuggestions();
    }, 150));
    this.input.addEventListener("click", () => this.suggest());
  }

  /** Another conversation was opened: no reply or edit carries over. */
  reset() {
    if (this.mode) this.cancel();
    this.hideSuggestions();
  }

  reply(message) {
    if (this.mode && this.mode.kind === "edit") this.cancel();
    this.mode = { kind: "reply", message };
    this.showContext();
    this.input.focus();
  }

  edit(message) {
    const draft = this.mode && this.mode.kind === "edit" ? this.mode.draft : this.input.value;
    this.mode = { kind: "edit", message, draft };
    this.input.value = message.content.text;
    this.resize();
    this.showContext();
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
  }

  cancel() {
    if (this.mode && this.mode.kind === "edit") {
      this.input.value = this.mode.draft || "";
      this.resize();
    }
    this.mode = null;
    this.showContext();
  }

  showContext() {
    const bar = $("composer-context");
    const mode = this.mode;
    bar.hidden = !mode;
    if (!mode) return;
    const c = this.client;
    const m = mode.message;
    bar.dataset.kind = mode.kind;
    $("context-label").textContent = mode.kind === "edit" ? "Editing"
      : `Replying to ${m.from === c.me.user_id ? "yourself" : c.userName(m.from)}`;
    $("context-text").textContent = summary(m);
  }

  async submit() {
    const c = this.client;
    const conversation = c.active;
    const text = this.input.value.trim();
    if (!conversation) return;
    this.hideSuggestions();
    const mode = this.mode;
    if (mode && mode.kind === "edit") {
      const m = mode.message;
      if (text === (m.content.text || "").trim()) return this.cancel();
      if (!text) return toast("A message needs text; use Recall to take it back.");
      if (!c.socket.online) return toast("Edits need a connection.");
      const content = c.textContent(conversation, text, null, m.content);
      this.cancel();
      try {
        await c.edit(m.message_id, content);
      } catch (e) {
        toast(e.code === "forbidden" ? "This message can no longer be edited."
          : e.code === "conflict" ? "That message was recalled."
          : e.code === "not_found" ? "That message no longer exists." : e.message);
      }
      return;
    }
    if (!text) return;
    const replyTo = mode && mode.kind === "reply" ? mode.message.message_id : null;
    this.input.value = "";
    this.mode = null;
    this.showContext();
    this.resize();
    c.send(conversation, c.textContent(conversation, text, replyTo)).catch((e) => toast(e.message));
  }

  keydown(event) {
    if (this.suggestions.length) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.selected = (this.selected + step + this.suggestions.length) % this.suggestions.length;
        return this.renderSuggestions();
      }
      if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
        event.preventDefault();
        return this.pick(this.suggestions[this.selected]);
      }
      if (event.key === "Escape") {
        event.preventDefault();
        return this.hideSuggestions();
      }
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    } else if (event.key === "Escape" && this.mode) {
      event.preventDefault();
      this.cancel();
    } else if (event.key === "ArrowUp" && !this.input.value && !this.mode) {
      event.preventDefault();
      this.editLast();
    }
  }

  /** ↑ in an empty composer: edit my newest message of this conversation. */
  async editLast() {
    const c = this.client;
    const conversation = c.active;
    if (!conversation) return;
    const recent = await c.store.messages(conversation, 50);
    const last = recent.reverse().find((m) => m.from === c.me.user_id && !m.recalled && m.content
                                              && typeof m.content.text === "string");
    if (!last || conversation !== c.active || this.input.value || this.mode) return;
    if (Date.now() - last.timestamp >= EDIT_WINDOW_MS) return toast("Your last message is too old to edit.");
    this.edit(last);
  }

  resize() {
    const input = this.input;
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight + 2, 128)}px`;
    input.style.overflowY = input.scrollHeight > 128 ? "auto" : "hidden";
  }

  // ---- @mentions -------------------------------------------------------------

  /** Offers participants whose name starts with the `@prefix` just before the caret. */
  suggest() {
    const c = this.client;
    const input = this.input;
    const caret = input.selectionStart;
    const before = input.value.slice(0, caret);
    const match = c.active && input.selectionEnd === caret && /(^|[^A-Za-z0-9_.@-])@([a-z0-9_.-]{0,32})$/i.exec(before);
    if (!match) return this.hideSuggestions();
    const prefix = match[2].toLowerCase();
    const names = c.participants(c.active)
      .filter((id) => id !== c.me.user_id && c.users.has(id))
      .map((id) => ({ user_id: id, username: c.users.get(id) }))
      .filter((u) => u.username.startsWith(prefix) && u.username !== prefix)
      .sort((a, b) => a.username.localeCompare(b.username))
      .slice(0, MAX_SUGGESTIONS);
    if (!names.length) return this.hideSuggestions();
    this.mentionAt = { start: caret - prefix.length - 1, end: caret };
    this.suggestions = names;
    this.selected = Math.min(this.selected, names.length - 1);
    this.renderSuggestions();
  }

  renderSuggestions() {
    const list = $("mention-list");
    list.hidden = !this.suggestions.length;
    list.replaceChildren(...this.suggestions.map((u, i) => el("li", {
      role: "option", id: `mention-${u.user_id}`, "aria-selected": i === this.selected ? "true" : "false",
      class: i === this.selected ? "selected" : "",
      onmousedown: (event) => { event.preventDefault(); this.pick(u); },
    }, el("span", { class: "avatar small", "aria-hidden": "true" }, u.username.slice(0, 1)), `@${u.username}`)));
    this.input.setAttribute("aria-activedescendant",
      this.suggestions.length ? `mention-${this.suggestions[this.selected].user_id}` : "");
  }

  hideSuggestions() {
    this.suggestions = [];
    this.selected = 0;
    this.mentionAt = null;
    $("mention-list").hidden = true;
    $("mention-list").replaceChildren();
    this.input.removeAttribute("aria-activedescendant");
  }

  pick(user) {
    const at = this.mentionAt;
    if (!at || !user) return this.hideSuggestions();
    const value = this.input.value;
    const insert = `@${user.username} `;
    this.input.value = value.slice(0, at.start) + insert + value.slice(at.end).replace(/^ /, "");
    const caret = at.start + insert.length;
    this.input.setSelectionRange(caret, caret);
    this.hideSuggestions();
    this.resize();
    this.input.focus();
  }
}
