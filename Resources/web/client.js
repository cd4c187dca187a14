// The client's state machine over the protocol: applies inbox items once each
// (dedupe by seq), acks cumulatively after they are stored, syncs by cursor
// after every (re)connect, keeps the outbox of messages typed while offline and
// resends it with the same message_ids, so the server stores each one once.

import { Api } from "./api.js";
import { Socket, newId, RequestError } from "./socket.js";
import { Store, idKey } from "./store.js";

const SYNC_LIMIT = 200;

export function deviceName() {
  let device = localStorage.getItem("roost.device");
  if (!device) {
    device = newId("web").slice(0, 40);
    localStorage.setItem("roost.device", device);
  }
  return device;
}

export function laterId(a, b) {
  if (!a) return b;
  if (!b) return a;
  return idKey(a) >= idKey(b) ? a : b;
}

/** The record with new content, unless it is recalled or already holds a later edit. */
export function editedRecord(record, content, editedAt) {
  if (!record || record.recalled || !content) return null;
  if (record.edited_at && editedAt && record.edited_at > editedAt) return null;
  return { ...record, content, edited_at: editedAt || record.edited_at || Date.now() };
}

/** The record with `userId`'s `emoji` reaction added (or removed); adding twice is one reaction. */
export function reactedRecord(record, emoji, userId, removed) {
  const reactions = { ...(record.reactions || {}) };
  const users = (reactions[emoji] || []).filter((id) => id !== userId);
  if (!removed) users.push(userId);
  if (users.length) reactions[emoji] = users;
  else delete reactions[emoji];
  const out = { ...record, reactions };
  if (!Object.keys(reactions).length) delete out.reactions;
  return out;
}

/** `@name` tokens of a text: [{start, end, name}] (name lowercased, as usernames are), a trailing
 * `.` or `-` left out (the end of a sentence); an `@` inside a word (an e-mail address) is none. */
export function mentionTokens(text) {
  const out = [];
  for (const m of (text || "").matchAll(/(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{1,32})/g)) {
    const name = m[2].replace(/[.-]+$/, "").toLowerCase();
    if (name.length < 3) continue;
    const start = m.index + m[1].length;
    out.push({ start, end: start + 1 + name.length, name });
  }
  return out;
}

export class Client extends EventTarget {
  constructor(session) {
    super();
    this.me = { user_id: session.user_id, username: session.username };
    this.api = new Api(session.token);
    this.socket = new Socket({ token: session.token, device: deviceName() });
    this.held = 0;            // every item with seq <= held is stored
    this.above = new Set();   // seqs stored above a gap
    this.epoch = null;
    this.conversations = new Map();
    this.users = new Map([[this.me.user_id, this.me.username]]);
    this.groups = new Map();
    this.reads = {};          // conversation -> { reader: up_to } (others)
    this.myRead = {};         // conversation -> up_to
    this.presence = new Map();
    this.blocked = new Set(); // user ids this account blocks (an account setting, read on refresh)
    this.typing = new Map();  // conversation -> { from, until }
    this.outbox = [];
    this.inflight = new Set(); // client ids of sends awaiting their ack
    this.active = null;       // the open conversation
    this.chain = Promise.resolve();
    this.ackTimer = null;
  }

  emit(what, detail = {}) {
    this.dispatchEvent(new CustomEvent(what, { detail }));
  }

  async start() {
    this.store = await Store.open(this.me.user_id);
    this.held = (await this.store.get("seq")) || 0;
    this.epoch = (await this.store.get("epoch")) || null;
    for (const c of (await this.store.get("conversations")) || []) this.conversations.set(c.conversation, c);
    for (const [id, name] of Object.entries((await this.store.get("users")) || {})) this.users.set(id, name);
    for (const g of (await this.store.get("groups")) || []) this.groups.set(g.group_id, g);
    this.reads = (await this.store.get("reads")) || {};
    this.myRead = (await this.store.get("myRead")) || {};
    this.outbox = await this.store.outbox();
    this.socket.onWelcome = (data) => this.serial(() => this.welcome(data));
    this.socket.onItem = (frame) => this.serial(() => this.applyItems([frame]));
    this.socket.onEphemeral = (frame) => this.ephemeral(frame);
    this.socket.onState = (state, info) => {
      if (state !== "online") this.presence.clear(); // unknown while we are not connected
      this.emit("state", { state, info });
    };
    this.socket.onFatal = () => this.emit("signedout");
    this.emit("change", { all: true });
    this.socket.start();
  }

  stop() {
    this.socket.stop();
  }

  /** Runs `task` after every earlier one: items are applied strictly in order of arrival. */
  serial(task) {
    this.chain = this.chain.then(task).catch((error) => this.emit("problem", { error }));
    return this.chain;
  }

  // ---- connection lifecycle --------------------------------------------------

  async welcome(data) {
    if (this.epoch && data.epoch !== this.epoch) await this.dropState();
    if (this.epoch !== data.epoch) {
      this.epoch = data.epoch;
      await this.store.set("epoch", data.epoch);
    }
    this.flushOutbox();
    // Sync by cursor: pull everything above what this device holds (pushes
    // may arrive meanwhile; both paths drop seqs already held).
    let since = this.held;
    for (;;) {
      const page = await this.socket.request("sync_offline", { since, limit: SYNC_LIMIT });
      if (page.epoch && page.epoch !== this.epoch) {
        await this.dropState();
        this.epoch = page.epoch;
        await this.store.set("epoch", page.epoch);
        since = 0;
        continue;
      }
      await this.applyItems(page.items || []);
      if (!page.has_more || !page.items || page.items.length === 0) break;
      since = page.items[page.items.length - 1].data.seq;
    }
    this.refresh().catch((error) => this.emit("problem", { error }));
  }

  /** A different epoch: the server was restored, so what we hold means nothing. */
  async dropState() {
    await this.store.reset();
    this.held = 0;
    this.above.clear();
    this.conversations.clear();
    this.reads = {};
    this.myRead = {};
    this.emit("change", { all: true });
  }

  /** Conversation list, groups, names and presence from the HTTP API. */
  async refresh() {
    const [list, groups, blocks] = await Promise.all([
      this.api.conversations(), this.api.groups(), this.api.blocks().catch(() => ({ user_ids: [] }))]);
    this.groups = new Map(groups.groups.map((g) => [g.group_id, g]));
    this.blocked = new Set(blocks.user_ids);
    const fresh = new Map(list.conversations.map((c) => [c.conversation, c]));
    for (const [key, c] of this.conversations) {
      // A chat opened here but without a message yet is not on the server's list.
      if (!fresh.has(key) && key.startsWith("u:") && !c.last_message) fresh.set(key, c);
    }
    this.conversations = fresh;
    if (this.active && this.conversations.has(this.active)) {
      Object.assign(this.conversations.get(this.active), { unread: 0, mentions: 0 });
    }
    const peers = [...this.conversations.keys()].filter((c) => c.startsWith("u:")).map((c) => c.slice(2));
    const members = [...this.groups.values()].flatMap((g) => g.member_ids);
    await this.learnUsers([...peers, ...members]);
    const others = peers.filter((id) => id !== this.me.user_id);
    if (others.length) {
      const presence = await this.api.presence(others);
      for (const p of presence.presence) this.presence.set(p.user_id, p.status);
    }
    await this.store.commit({ meta: { conversations: [...this.conversations.values()],
                                      groups: [...this.groups.values()] } });
    this.emit("change", { all: true });
    this.markRead();
  }

  async learnUsers(ids) {
    const unknown = [...new Set(ids)].filter((id) => id && !this.users.has(id));
    if (!unknown.length) return;
    const answer = await this.api.users(unknown);
    for (const u of answer.users) this.users.set(u.user_id, u.username);
    await this.store.set("users", Object.fromEntries(this.users));
  }

  // ---- inbox items -----------------------------------------------------------

  isHeld(seq) {
    return seq <= this.held || this.above.has(seq);
  }

  hold(seq) {
    if (seq <= this.held) return;
    this.above.add(seq);
    while (this.above.has(this.held + 1)) {
      this.above.delete(this.held + 1);
      this.held += 1;
    }
  }

  scheduleAck() {
    clearTimeout(this.ackTimer);
    this.ackTimer = setTimeout(() => this.socket.ack(this.held), 20);
  }

  async applyItems(frames) {
    const messages = new Map();
    const deleteOutbox = [];
    let changed = false;
    for (const frame of frames) {
      const data = frame.data || {};
      if (typeof data.seq !== "number" || this.isHeld(data.seq)) continue;
      changed = true;
      switch (frame.type) {
        case "message": {
          const { seq, ...record } = data;
          messages.set(record.message_id, record);
          this.noteMessage(record);
          if (record.client_id && this.outbox.some((o) => o.client_id === record.client_id)) {
            this.outbox = this.outbox.filter((o) => o.client_id !== record.client_id);
            deleteOutbox.push(record.client_id);
          }
          break;
        }
        case "recall": {
          const old = messages.get(data.message_id) || (await this.store.message(data.message_id));
          if (old) {
            const { content, ...rest } = old;
            messages.set(data.message_id, { ...rest, recalled: true });
          }
          const conv = this.conversations.get(data.conversation);
          if (conv && conv.last_message && conv.last_message.message_id === data.message_id) {
            const { content, ...rest } = conv.last_message;
            conv.last_message = { ...rest, recalled: true };
          }
          break;
        }
        case "edit": {
          const old = messages.get(data.message_id) || (await this.store.message(data.message_id));
          const edited = old && editedRecord(old, data.content, data.edited_at);
          if (edited) messages.set(data.message_id, edited);
          this.noteLastMessage(data.conversation, data.message_id, (m) => editedRecord(m, data.content, data.edited_at));
          break;
        }
        case "reaction": {
          const old = messages.get(data.message_id) || (await this.store.message(data.message_id));
          if (old) messages.set(data.message_id, reactedRecord(old, data.emoji, data.user_id, data.removed));
          this.noteLastMessage(data.conversation, data.message_id, (m) => reactedRecord(m, data.emoji, data.user_id, data.removed));
          break;
        }
        case "read":
          this.noteRead(data.conversation, data.reader, data.up_to);
          break;
        case "group_event":
          this.noteGroupEvent(data);
          break;
        default:
          break; // friend_event and later additions: held, nothing to show
      }
      this.hold(data.seq);
    }
    if (!changed) {
      this.scheduleAck(); // a redelivery: confirm again what we hold
      return;
    }
    await this.store.commit({
      messages: [...messages.values()],
      deleteOutbox,
      meta: { seq: this.held, conversations: [...this.conversations.values()], reads: this.reads,
              myRead: this.myRead },
    });
    this.scheduleAck();
    const ids = [...messages.values()].map((m) => m.from);
    this.learnUsers(ids).catch(() => {}).finally(() => this.emit("change", { messages: [...messages.values()] }));
    this.markRead();
  }

  noteMessage(record) {
    let conv = this.conversations.get(record.conversation);
    if (!conv || !conv.last_message) {
      // A first message makes the peer a contact: presence is not pushed for it until
      // the next connect, so ask once.
      if (record.conversation.startsWith("u:")) this.presenceSoon(record.conversation.slice(2));
    }
    if (!conv) {
      conv = { conversation: record.conversation, last_message: null, unread: 0, updated_at: 0 };
      this.conversations.set(record.conversation, conv);
    }
    if (!conv.last_message || idKey(record.message_id) >= idKey(conv.last_message.message_id)) {
      conv.last_message = record;
      conv.updated_at = record.timestamp;
    }
    const mine = record.from === this.me.user_id;
    if (!mine && !record.recalled && !(this.active === record.conversation && this.visible())
        && idKey(record.message_id) > idKey(this.myRead[record.conversation] || "0")) {
      conv.unread = (conv.unread || 0) + 1;
      if (this.mentionsMe(record)) conv.mentions = (conv.mentions || 0) + 1;
    }
    this.typing.delete(record.conversation);
  }

  /** Keeps the conversation list's preview in step with an edit or a reaction. */
  noteLastMessage(conversation, messageId, change) {
    const conv = this.conversations.get(conversation);
    if (!conv || !conv.last_message || conv.last_message.message_id !== messageId) return;
    const updated = change(conv.last_message);
    if (updated) conv.last_message = updated;
  }

  mentionsMe(record) {
    const mentions = record && !record.recalled && record.content && record.content.mentions;
    return Array.isArray(mentions) && mentions.includes(this.me.user_id);
  }

  noteRead(conversation, reader, upTo) {
    if (reader === this.me.user_id) {
      this.myRead[conversation] = laterId(this.myRead[conversation], upTo);
      const conv = this.conversations.get(conversation);
      if (conv) { conv.unread = 0; conv.mentions = 0; }
    } else {
      const byReader = (this.reads[conversation] ||= {});
      byReader[reader] = laterId(byReader[reader], upTo);
    }
  }

  noteGroupEvent(data) {
    const conv = `g:${data.group_id}`;
    const gone = (data.event === "left" || data.event === "removed") && data.user_id === this.me.user_id;
    if (gone) {
      this.groups.delete(data.group_id);
      this.conversations.delete(conv);
      if (this.active === conv) this.active = null;
      return;
    }
    if (!this.conversations.has(conv)) {
      this.conversations.set(conv, { conversation: conv, last_message: null, unread: 0, updated_at: Date.now() });
    }
    const group = this.groups.get(data.group_id);
    if (data.name && group) group.name = data.name;
    if (!group || data.event !== "renamed") {
      // Membership changed or a new group: ask the server for the group as it is now.
      this.refreshSoon();
    }
  }

  presenceSoon(id) {
    if (id === this.me.user_id) return;
    (this.presenceWanted ||= new Set()).add(id);
    clearTimeout(this.presenceTimer);
    this.presenceTimer = setTimeout(async () => {
      const ids = [...this.presenceWanted];
      this.presenceWanted.clear();
      if (!this.socket.online) return;
      try {
        const answer = await this.api.presence(ids);
        for (const p of answer.presence) this.presence.set(p.user_id, p.status);
        this.emit("change", {});
      } catch { /* next connect asks again */ }
    }, 300);
  }

  refreshSoon() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh().catch(() => {}), 100);
  }

  ephemeral(frame) {
    const data = frame.data || {};
    if (frame.type === "presence") {
      this.presence.set(data.user_id, data.status);
      this.emit("change", { presence: data.user_id });
    } else if (frame.type === "typing") {
      this.typing.set(data.conversation, { from: data.from, until: Date.now() + 3500 });
      this.learnUsers([data.from]).catch(() => {}).finally(() => this.emit("typing", data));
      setTimeout(() => this.emit("typing", data), 3600);
    } else if (frame.type === "kicked") {
      this.emit("kicked", data);
    }
  }

  // ---- sending ---------------------------------------------------------------

  target(conversation) {
    const id = conversation.slice(2);
    return conversation.startsWith("g:") ? { group_id: id } : { to: id };
  }

  /** Queues a message (stored first, so a reload keeps it) and sends it when connected. */
  async send(conversation, content) {
    const entry = { client_id: newId("m"), conversation, content, created: Date.now() };
    this.outbox.push(entry);
    await this.store.queue(entry);
    this.emit("change", { outbox: true });
    this.sendQueued(entry);
  }

  flushOutbox() {
    for (const entry of this.outbox) this.sendQueued(entry);
  }

  async sendQueued(entry) {
    if (!this.socket.online || this.inflight.has(entry.client_id)) return;
    this.inflight.add(entry.client_id);
    try {
      const ack = await this.socket.request("send_message",
        { ...this.target(entry.conversation), content: entry.content }, entry.client_id);
      await this.serial(async () => {
        if (!this.outbox.some((o) => o.client_id === entry.client_id)) return;
        const record = { message_id: ack.message_id, conversation: entry.conversation, from: this.me.user_id,
                         ...this.target(entry.conversation), content: entry.content, timestamp: ack.timestamp,
                         client_id: entry.client_id };
        this.outbox = this.outbox.filter((o) => o.client_id !== entry.client_id);
        if (typeof ack.seq === "number") this.hold(ack.seq);
        this.noteMessage(record);
        await this.store.commit({ messages: [record], deleteOutbox: [entry.client_id],
                                  meta: { seq: this.held, conversations: [...this.conversations.values()] } });
        this.scheduleAck();
        this.emit("change", { messages: [record] });
      });
    } catch (error) {
      if (error instanceof RequestError && error.code === "bad_request" && entry.content.mentions && !entry.retried) {
        // A mentioned user left the group meanwhile: send the text without mentions (same id,
        // nothing was stored for the refused request).
        const { mentions, ...content } = entry.content;
        Object.assign(entry, { content, retried: true });
        await this.store.queue(entry);
        this.inflight.delete(entry.client_id);
        return await this.sendQueued(entry);
      }
      if (error instanceof RequestError && !["disconnected", "timeout", "rate_limited", "internal"].includes(error.code)) {
        // Refused for good (forbidden, not_found, too_large...): drop it and say so.
        this.outbox = this.outbox.filter((o) => o.client_id !== entry.client_id);
        await this.store.unqueue(entry.client_id);
        this.emit("change", { outbox: true });
        this.emit("problem", { error });
      }
      // Otherwise it stays queued and goes again, same message_id, after the next welcome.
    } finally {
      this.inflight.delete(entry.client_id);
    }
  }

  /** User ids of a conversation's participants (as far as this device knows). */
  participants(conversation) {
    if (conversation.startsWith("g:")) {
      const g = this.groups.get(conversation.slice(2));
      return g ? [...g.member_ids] : [];
    }
    return [...new Set([this.me.user_id, conversation.slice(2)])];
  }

  /** The user ids named by `@username` in `text` among the conversation's participants. */
  mentionsIn(conversation, text) {
    const byName = new Map(this.participants(conversation).map((id) => [this.users.get(id), id]));
    const ids = [];
    for (const { name } of mentionTokens(text)) {
      const id = byName.get(name);
      if (id && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  /** Content for a text typed in `conversation`: mentions resolved, `reply_to` when replying. */
  textContent(conversation, text, replyTo = null, base = {}) {
    const content = { ...base, text };
    delete content.mentions;
    const mentions = this.mentionsIn(conversation, text);
    if (mentions.length) content.mentions = mentions;
    if (replyTo) content.reply_to = replyTo;
    return content;
  }

  /** Replaces the content of my message `messageId` (`edit`); applies the ack like the item. */
  async edit(messageId, content) {
    const ack = await this.socket.request("edit", { message_id: messageId, content });
    await this.serial(async () => {
      if (typeof ack.seq === "number") this.hold(ack.seq);
      const old = await this.store.message(messageId);
      const record = old && editedRecord(old, content, ack.edited_at);
      if (record) this.noteLastMessage(record.conversation, messageId, () => record);
      await this.store.commit({ messages: record ? [record] : [],
                                meta: { seq: this.held, conversations: [...this.conversations.values()] } });
      this.scheduleAck();
      this.emit("change", { messages: record ? [record] : [] });
    });
  }

  /** Adds (or with `remove`, takes back) my reaction `emoji` on a message (`react`). */
  async react(messageId, emoji, remove = false) {
    const data = { message_id: messageId, emoji };
    if (remove) data.remove = true;
    const ack = await this.socket.request("react", data);
    await this.serial(async () => {
      if (typeof ack.seq === "number") this.hold(ack.seq);
      const old = await this.store.message(messageId);
      const record = old && reactedRecord(old, emoji, this.me.user_id, remove);
      if (record) this.noteLastMessage(record.conversation, messageId, () => record);
      await this.store.commit({ messages: record ? [record] : [],
                                meta: { seq: this.held, conversations: [...this.conversations.values()] } });
      this.scheduleAck();
      this.emit("change", { messages: record ? [record] : [] });
    });
  }

  /** Full-text search on the server (`GET /api/search`); results are records with a `snippet`. */
  async search(q, conversation = null) {
    const answer = await this.api.search(q, conversation);
    const messages = answer.messages || [];
    await this.learnUsers(messages.map((m) => m.from)).catch(() => {});
    return messages;
  }

  async sendFile(conversation, file) {
    const info = await this.api.upload(file);
    const content = { file_id: info.file_id, name: info.name, mime: info.mime, size: info.size };
    if (info.width) { content.width = info.width; content.height = info.height; }
    await this.send(conversation, content);
  }

  async recall(messageId) {
    const ack = await this.socket.request("recall", { message_id: messageId });
    await this.serial(async () => {
      if (typeof ack.seq === "number") this.hold(ack.seq);
      await this.applyLocalRecall(messageId);
      this.scheduleAck();
    });
  }

  async applyLocalRecall(messageId) {
    const old = await this.store.message(messageId);
    if (!old) return;
    const { content, ...rest } = old;
    const record = { ...rest, recalled: true };
    const conv = this.conversations.get(old.conversation);
    if (conv && conv.last_message && conv.last_message.message_id === messageId) conv.last_message = record;
    await this.store.commit({ messages: [record], meta: { seq: this.held } });
    this.emit("change", { messages: [record] });
  }

  typingTo(conversation) {
    const now = Date.now();
    if (this.lastTyping && this.lastTyping.conv === conversation && now - this.lastTyping.at < 2000) return;
    this.lastTyping = { conv: conversation, at: now };
    this.socket.typing(this.target(conversation));
  }

  visible() {
    return document.visibilityState === "visible";
  }

  /** Sends `read` up to the newest message of the open conversation, if it moved. */
  markRead() {
    const conversation = this.active;
    const conv = conversation && this.conversations.get(conversation);
    if (!conv || !conv.last_message || !this.socket.online || !this.visible()) return;
    const upTo = conv.last_message.message_id;
    if (conv.last_message.from === this.me.user_id
        || (this.myRead[conversation] && idKey(this.myRead[conversation]) >= idKey(upTo))) {
      // Nothing new to read (my own message is the newest, or the receipt went already).
      if (conv.unread || conv.mentions) { conv.unread = 0; conv.mentions = 0; this.emit("change", {}); }
      return;
    }
    this.myRead[conversation] = upTo;
    conv.unread = 0;
    conv.mentions = 0;
    this.emit("change", {});
    this.socket.request("read", { conversation, up_to: upTo }).then((ack) => this.serial(async () => {
      if (typeof ack.seq === "number") this.hold(ack.seq);
      await this.store.commit({ meta: { seq: this.held, myRead: this.myRead } });
      this.scheduleAck();
    })).catch(() => { delete this.myRead[conversation]; });
  }

  /** Older messages from the server (`history`), stored locally; returns whether more exist. */
  async loadOlder(conversation, before) {
    const data = { conversation, limit: 50 };
    if (before) data.before = before;
    const answer = await this.socket.request("history", data);
    const records = answer.messages || [];
    if (records.length) {
      await this.store.commit({ messages: records });
      await this.learnUsers(records.map((m) => m.from));
    }
    return answer.has_more;
  }

  // ---- names -----------------------------------------------------------------

  userName(id) {
    return this.users.get(id) || `user ${id}`;
  }

  title(conversation) {
    if (conversation.startsWith("g:")) {
      const g = this.groups.get(conversation.slice(2));
      return g ? g.name : "Group";
    }
    const id = conversation.slice(2);
    return id === this.me.user_id ? `${this.me.username} (notes)` : this.userName(id);
  }

  /** Opens (or starts) the 1:1 conversation with `username`. */
  async conversationWith(username) {
    const user = await this.api.user(username.trim().toLowerCase());
    this.users.set(user.user_id, user.username);
    await this.store.set("users", Object.fromEntries(this.users));
    return this.ensureConversation(`u:${user.user_id}`);
  }

  /** Puts a conversation on the list (without messages yet) if it is not there. */
  ensureConversation(conversation) {
    if (!this.conversations.has(conversation)) {
      this.conversations.set(conversation, { conversation, last_message: null, unread: 0, updated_at: Date.now() });
    }
    return conversation;
  }

  async idsOf(usernames) {
    const ids = [];
    for (const name of usernames) {
      const user = await this.api.user(name.trim().toLowerCase());
      this.users.set(user.user_id, user.username);
      ids.push(user.user_id);
    }
    return ids;
  }

  async createGroup(name, usernames) {
    const group = await this.api.createGroup(name, await this.idsOf(usernames));
    this.groups.set(group.group_id, group);
    const conversation = `g:${group.group_id}`;
    if (!this.conversations.has(conversation)) {
      this.conversations.set(conversation, { conversation, last_message: null, unread: 0, updated_at: Date.now() });
    }
    return conversation;
  }

  async addMembers(conversation, usernames) {
    const group = await this.api.addMembers(conversation.slice(2), await this.idsOf(usernames));
    this.groups.set(group.group_id, group);
    this.emit("change", {});
  }

  /** Blocks or unblocks the other side of a 1:1 conversation (PROTOCOL.md section 9). */
  async setBlocked(userId, blocked) {
    if (blocked) {
      await this.api.block(userId);
      this.blocked.add(userId);
      this.presence.delete(userId); // not shared with someone blocked
    } else {
      await this.api.unblock(userId);
      this.blocked.delete(userId);
    }
    this.emit("change", {});
  }

  async leave(conversation) {
    await this.api.leaveGroup(conversation.slice(2));
    this.groups.delete(conversation.slice(2));
    this.conversations.delete(conversation);
    this.emit("change", { all: true });
  }
}
