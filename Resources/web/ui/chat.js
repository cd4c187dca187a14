// The open conversation: messages (with pending ones from the outbox), images
// fetched with the bearer token and shown through object URLs, file download
// links, read receipts, recall, typing indicator and history scroll-back.

import { idKey } from "../store.js";
import { $, el, clock, formatSize, toast } from "./dom.js";

const RECALL_WINDOW_MS = 120_000;
const PAGE = 60;

export class ChatView {
  constructor(client) {
    this.client = client;
    this.conversation = null;
    this.limit = PAGE;
    this.objectURLs = new Map(); // file_id -> Promise<url>
    this.renderToken = 0;
    this.moreOnServer = true;
    $("load-older").onclick = () => this.older();
    $("messages").addEventListener("scroll", () => {
      if ($("messages").scrollTop < 40 && this.conversation && !this.loadingOlder) this.older();
    });
  }

  open(conversation) {
    this.conversation = conversation;
    this.limit = PAGE;
    this.moreOnServer = true;
    this.stick = true;
    $("chat-empty").hidden = true;
    $("chat-pane").hidden = false;
    this.header();
    this.render().then(() => this.fillFromServer());
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
    $("group-actions").hidden = !isGroup;
    let sub = "";
    if (isGroup) {
      const g = c.groups.get(conv.slice(2));
      sub = g ? g.member_ids.map((id) => c.userName(id)).join(", ") : "";
    } else if (conv.slice(2) !== c.me.user_id) {
      sub = c.presence.get(conv.slice(2)) === "online" ? "online" : "offline";
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
    const pending = this.client.outbox.filter((o) => o.conversation === conv);
    const receipts = this.receipts(messages);
    const older = messages.length >= this.limit || this.moreOnServer;
    $("load-older").hidden = !older || messages.length === 0;
    const rows = messages.map((m, i) => this.row(m, messages[i - 1], receipts.get(m.message_id)));
    for (const p of pending) {
      rows.push(this.row({ message_id: p.client_id, from: this.client.me.user_id, content: p.content,
                           timestamp: p.created, conversation: conv }, null, null, true));
    }
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

  row(m, previous, receipt, pending = false) {
    const c = this.client;
    const mine = m.from === c.me.user_id;
    const isGroup = this.conversation.startsWith("g:");
    const showSender = isGroup && !mine && (!previous || previous.from !== m.from);
    const canRecall = mine && !pending && !m.recalled && Date.now() - m.timestamp < RECALL_WINDOW_MS;
    const classes = ["msg", mine ? "mine" : "theirs", pending ? "pending" : "", m.recalled ? "recalled" : ""];
    return el("li", { class: classes.join(" "), dataset: { messageId: m.message_id } },
      showSender ? el("span", { class: "sender" }, c.userName(m.from)) : null,
      el("div", { class: "bubble" }, ...this.body(m)),
      el("div", { class: "meta" },
        el("time", { datetime: new Date(m.timestamp || Date.now()).toISOString() }, clock(m.timestamp)),
        pending ? el("span", { class: "state" }, c.socket.online ? "sending…" : "queued") : null,
        canRecall ? el("button", { type: "button", class: "recall", "aria-label": "Recall this message",
                                   onclick: () => this.recall(m.message_id) }, "Recall") : null,
        receipt ? el("span", { class: "receipt" }, receipt) : null));
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
    if (content.text) parts.push(el("span", { class: "text" }, content.text));
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
