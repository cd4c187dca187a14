// The open conversation: messages (with pending ones from the outbox), images
// fetched with the bearer token and shown through object URLs, file download
// links, read receipts, recall, typing indicator and history scroll-back; and
// per message: reply quotes, mentions, "(edited)", reaction chips and a
// toolbar (react, reply, edit). User content only ever goes in as text.

import { idKey } from "../store.js";
import { mentionTokens } from "../client.js";
import { $, el, clock, formatSize, toast } from "./dom.js";

const RECALL_WINDOW_MS = 120_000;
const EDIT_WINDOW_MS = 24 * 3600_000; // the server's default; a shorter setting answers `forbidden`
const PAGE = 60;
export const REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🎉"];

/** One line describing a message, for reply quotes and the composer's reply bar. */
export function summary(m) {
  if (!m) return "a message";
  if (m.recalled) return "message recalled";
  const c = m.content || {};
  if (c.text) return c.text;
  if (c.file_id) return (c.mime || "").startsWith("image/") ? "Image" : `File: ${c.name || "file"}`;
  return "a message";
}

export class ChatView {
  constructor(client) {
    this.client = client;
    this.conversation = null;
    this.limit = PAGE;
    this.objectURLs = new Map(); // file_id -> Promise<url>
    this.renderToken = 0;
    this.moreOnServer = true;
    this.composer = null;     // set by the Composer
    this.pickerFor = null;    // message id whose reaction picker is open
    this.flash = null;        // { id, until }: a message just revealed
    $("load-older").onclick = () => this.older();
    document.addEventListener("click", (event) => {
      if (this.pickerFor && !event.target.closest(".picker, .react-open")) this.closePicker();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.pickerFor) this.closePicker();
    });
    $("messages").addEventListener("scroll", () => {
      if ($("messages").scrollTop < 40 && this.conversation && !this.loadingOlder) this.older();
    });
  }

  open(conversation) {
    this.conversation = conversation;
    this.limit = PAGE;
    this.moreOnServer = true;
    this.stick = true;
    this.pickerFor = null;
    $("chat-empty").hidden = true;
    $("chat-pane").hidden = false;
    if (this.composer) this.composer.reset();
    this.header();
    this.opened = this.render().then(() => this.fillFromServer());
    return this.opened;
  }

  close() {
    this.conversation = null;
    $("chat-empty").hidden = false;
    $("chat-pane").hidden = true;
  }

  header() {
    const c = this.client;
    const conv = this.conversation;
    if (!conv) return;
    $("chat-title").textContent = c.title(conv);
    const isGroup = conv.startsWith("g:");
    const peer = isGroup || conv.slice(2) === c.me.user_id ? null : conv.slice(2);
    $("group-actions").hidden = !isGroup;
    $("direct-actions").hidden = !peer;
    let sub = "";
    if (isGroup) {
      const g = c.groups.get(conv.slice(2));
      sub = g ? g.member_ids.map((id) => c.userName(id)).join(", ") : "";
    } else if (peer) {
      const blocked = c.blocked.has(peer);
      $("block-user").textContent = blocked ? "Unblock" : "Block";
      sub = blocked ? "blocked" : c.presence.get(peer) === "online" ? "online" : "offline";
    }
    $("chat-sub").textContent = sub;
    this.typing();
  }

  typing() {
    const t = this.conversation && this.client.typing.get(this.conversation);
    $("typing").textContent = t && t.until > Date.now() ? `${this.client.userName(t.from)} is typing…` : "";
  }

  /** Fetches history when this device holds few messages of the conversation. */
  async fillFromServer() {
    const conv = this.conversation;
    const local = await this.client.store.messages(conv, PAGE);
    if (local.length >= 20 || !this.client.socket.online) return;
    try {
      this.moreOnServer = await this.client.loadOlder(conv, null);
      if (conv === this.conversation) this.render();
    } catch { /* offline: local messages only */ }
  }

  async older() {
    const conv = this.conversation;
    this.loadingOlder = true;
    try {
      const shown = await this.client.store.messages(conv, this.limit);
      const stored = await this.client.store.messages(conv, this.limit + PAGE);
      if (stored.length <= shown.length && this.moreOnServer && this.client.socket.online) {
        this.moreOnServer = await this.client.loadOlder(conv, shown.length ? shown[0].message_id : null);
      }
      this.limit += PAGE;
      const list = $("messages");
      const fromBottom = list.scrollHeight - list.scrollTop;
      await this.render();
      list.scrollTop = list.scrollHeight - fromBottom;
    } catch (e) {
      toast(e.message);
    } finally {
      this.loadingOlder = false;
    }
  }

  async render() {
    const conv = this.conversation;
    if (!conv) return;
    const token = ++this.renderToken;
    const list = $("messages");
    const atBottom = this.stick || list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    this.stick = false;
    const messages = await this.client.store.messages(conv, this.limit);
    if (token !== this.renderToken || conv !== this.conversation) return;
    const pending = this.client.outbox.filter((o) => o.conversation === conv)
      .map((p) => ({ message_id: p.client_id, from: this.client.me.user_id, content: p.content,
                     timestamp: p.created, conversation: conv }));
    const quotes = await this.quoted([...messages, ...pending]);
    if (token !== this.renderToken || conv !== this.conversation) return;
    const receipts = this.receipts(messages);
    const older = messages.length >= this.limit || this.moreOnServer;
    $("load-older").hidden = !older || messages.length === 0;
    const rows = messages.map((m, i) => this.row(m, messages[i - 1], receipts.get(m.message_id), false, quotes));
    for (const p of pending) rows.push(this.row(p, null, null, true, quotes));
    $("message-list").replaceChildren(...rows);
    if (atBottom) list.scrollTop = list.scrollHeight;
    this.header();
  }

  /** message_id -> receipt label, under my newest message each reader has read. */
  receipts(messages) {
    const c = this.client;
    const out = new Map();
    const reads = c.reads[this.conversation] || {};
    const mine = messages.filter((m) => m.from === c.me.user_id);
    const byMessage = new Map();
    for (const [reader, upTo] of Object.entries(reads)) {
      const last = [...mine].reverse().find((m) => idKey(m.message_id) <= idKey(upTo));
      if (!last) continue;
      if (!byMessage.has(last.message_id)) byMessage.set(last.message_id, []);
      byMessage.get(last.message_id).push(reader);
    }
    for (const [id, readers] of byMessage) {
      out.set(id, this.conversation.startsWith("u:") ? "Read"
        : `Read by ${readers.map((r) => c.userName(r)).join(", ")}`);
    }
    return out;
  }

  /** reply_to id -> the replied record (from the shown page or the local cache), or null if unknown. */
  async quoted(records) {
    const byId = new Map(records.map((m) => [m.message_id, m]));
    const out = new Map();
    for (const m of records) {
      const id = !m.recalled && m.content && m.content.reply_to;
      if (!id || out.has(id)) continue;
      out.set(id, byId.get(id) || (await this.client.store.message(id)) || null);
    }
    return out;
  }

  row(m, previous, receipt, pending = false, quotes = new Map()) {
    const c = this.client;
    const mine = m.from === c.me.user_id;
    const isGroup = this.conversation.startsWith("g:");
    const showSender = isGroup && !mine && (!previous || previous.from !== m.from);
    const live = !pending && !m.recalled;
    const canRecall = mine && live && Date.now() - m.timestamp < RECALL_WINDOW_MS;
    const canEdit = mine && live && typeof (m.content || {}).text === "string"
      && Date.now() - m.timestamp < EDIT_WINDOW_MS;
    const mentioned = !mine && c.mentionsMe(m);
    const flash = this.flash && this.flash.id === m.message_id && this.flash.until > Date.now();
    const classes = ["msg", mine ? "mine" : "theirs", pending ? "pending" : "", m.recalled ? "recalled" : "",
                     mentioned ? "mentioned" : "", flash ? "flash" : ""];
    const replyTo = !m.recalled && m.content && m.content.reply_to;
    return el("li", { class: classes.filter(Boolean).join(" "), dataset: { messageId: m.message_id } },
      showSender ? el("span", { class: "sender" }, c.userName(m.from)) : null,
      el("div", { class: "line" },
        el("div", { class: "bubble" },
          replyTo ? this.quote(replyTo, quotes.get(replyTo)) : null,
          ...this.body(m)),
        live ? this.actions(m, canEdit) : null),
      this.pickerFor === m.message_id && live ? this.picker(m) : null,
      live ? this.chips(m) : null,
      el("div", { class: "meta" },
        el("time", { datetime: new Date(m.timestamp || Date.now()).toISOString() }, clock(m.timestamp)),
        m.edited_at && !m.recalled
          ? el("span", { class: "edited", title: `Edited ${new Date(m.edited_at).toLocaleString()}` }, "(edited)") : null,
        pending ? el("span", { class: "state" }, c.socket.online ? "sending…" : "queued") : null,
        canRecall ? el("button", { type: "button", class: "recall", "aria-label": "Recall this message",
                                   onclick: () => this.recall(m.message_id) }, "Recall") : null,
        receipt ? el("span", { class: "receipt" }, receipt) : null));
  }

  /** The quoted message above a reply; clicking it scrolls to the original. */
  quote(id, original) {
    const c = this.client;
    return el("button", { type: "button", class: "quote", title: "Show the original message",
                          onclick: () => this.reveal(id) },
      original ? el("span", { class: "quote-who" }, original.from === c.me.user_id ? "You" : c.userName(original.from)) : null,
      el("span", { class: "quote-text" }, summary(original)));
  }

  actions(m, canEdit) {
    const open = this.pickerFor === m.message_id;
    return el("div", { class: "actions", role: "toolbar", "aria-label": "Message actions" },
      el("button", { type: "button", class: "act react-open", title: "React", "aria-label": "Add a reaction",
                     "aria-expanded": open ? "true" : "false",
                     onclick: () => (open ? this.closePicker() : this.openPicker(m.message_id)) }, "☺"),
      el("button", { type: "button", class: "act reply", title: "Reply", "aria-label": "Reply",
                     onclick: () => this.composer && this.composer.reply(m) }, "↩"),
      canEdit ? el("button", { type: "button", class: "act edit", title: "Edit", "aria-label": "Edit this message",
                               onclick: () => this.composer && this.composer.edit(m) }, "✎") : null);
  }

  picker(m) {
    return el("div", { class: "picker", role: "group", "aria-label": "Pick a reaction" },
      REACTIONS.map((emoji) => el("button", { type: "button", class: "pick", "aria-label": `React with ${emoji}`,
                                             onclick: () => this.toggleReaction(m, emoji) }, emoji)));
  }

  /** Reaction chips "👍 2"; mine are highlighted, and clicking one adds or takes back mine. */
  chips(m) {
    const c = this.client;
    const rank = (emoji) => (REACTIONS.includes(emoji) ? REACTIONS.indexOf(emoji) : REACTIONS.length);
    const entries = Object.entries(m.reactions || {}).filter(([, users]) => Array.isArray(users) && users.length)
      .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)); // a stable order on every device
    if (!entries.length) return null;
    return el("div", { class: "reactions" }, entries.map(([emoji, users]) => {
      const minePressed = users.includes(c.me.user_id);
      return el("button", { type: "button", class: minePressed ? "chip mine" : "chip",
                            "aria-pressed": minePressed ? "true" : "false",
                            title: users.map((u) => (u === c.me.user_id ? "You" : c.userName(u))).join(", "),
                            onclick: () => this.toggleReaction(m, emoji) },
        el("span", { class: "chip-emoji" }, emoji), " ", el("span", { class: "chip-count" }, String(users.length)));
    }));
  }

  openPicker(id) {
    this.pickerFor = id;
    this.render();
  }

  closePicker() {
    this.pickerFor = null;
    this.render();
  }

  async toggleReaction(m, emoji) {
    const c = this.client;
    this.pickerFor = null;
    const remove = ((m.reactions || {})[emoji] || []).includes(c.me.user_id);
    if (!c.socket.online) {
      this.render();
      return toast("Reactions need a connection.");
    }
    try {
      await c.react(m.message_id, emoji, remove);
    } catch (e) {
      toast(e.code === "conflict" ? "That message was recalled." : e.code === "forbidden" ? "You cannot react here."
        : e.message);
      this.render();
    }
  }

  /** Scrolls to a message of the open conversation (loading older pages if needed) and flashes it. */
  async reveal(messageId) {
    if (this.opened) await this.opened;
    for (let page = 0; page < 8 && this.conversation; page += 1) {
      const node = [...$("message-list").children].find((li) => li.dataset.messageId === messageId);
      if (node) {
        this.flash = { id: messageId, until: Date.now() + 2000 };
        node.classList.add("flash");
        node.scrollIntoView({ block: "center" });
        setTimeout(() => {
          // Renders meanwhile replaced the row: unmark whichever row shows it now.
          for (const li of $("message-list").querySelectorAll(".msg.flash")) li.classList.remove("flash");
        }, 2050);
        return true;
      }
      const before = $("message-list").children.length;
      await this.older();
      if ($("message-list").children.length === before) break;
    }
    toast("That message is not available here.");
    return false;
  }

  /** A text with the `@names` it mentions marked (built from text nodes only). */
  text(content) {
    const c = this.client;
    const text = content.text;
    const ids = Array.isArray(content.mentions) ? content.mentions : [];
    const parts = [];
    let at = 0;
    for (const token of ids.length ? mentionTokens(text) : []) {
      const id = ids.find((u) => c.users.get(u) === token.name);
      if (!id) continue;
      parts.push(text.slice(at, token.start),
        el("span", { class: id === c.me.user_id ? "mention of-me" : "mention" }, text.slice(token.start, token.end)));
      at = token.end;
    }
    parts.push(text.slice(at));
    return el("span", { class: "text" }, ...parts);
  }

  body(m) {
    if (m.recalled) return ["Message recalled"];
    const content = m.content || {};
    const parts = [];
    if (content.file_id) {
      if ((content.mime || "").startsWith("image/")) {
        const img = el("img", { alt: content.name || "image", class: "inline-image",
                                width: content.width, height: content.height, loading: "lazy" });
        this.objectURL(content.file_id).then((url) => { img.src = url; }).catch(() => { img.alt = "image unavailable"; });
        parts.push(img);
      } else {
        parts.push(el("a", { href: "#", class: "file-link", onclick: (e) => { e.preventDefault(); this.download(content); } },
          `⤓ ${content.name || "file"}`), ` ${formatSize(content.size)}`);
      }
    }
    if (content.text) parts.push(this.text(content));
    return parts;
  }

  objectURL(fileId) {
    if (!this.objectURLs.has(fileId)) {
      const promise = this.client.api.fileBlob(fileId).then((blob) => URL.createObjectURL(blob));
      promise.catch(() => this.objectURLs.delete(fileId));
      this.objectURLs.set(fileId, promise);
    }
    return this.objectURLs.get(fileId);
  }

  async download(content) {
    try {
      const url = await this.objectURL(content.file_id);
      const a = el("a", { href: url, download: content.name || "file" });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      toast(`Download failed: ${e.message}`);
    }
  }

  async recall(messageId) {
    try {
      await this.client.recall(messageId);
    } catch (e) {
      toast(e.code === "forbidden" ? "Too late to recall that message." : e.message);
    }
  }
}
