// The conversation list: newest first, unread badges, an "@" badge for unread
// mentions of me, last message, presence dots.

import { $, el, clock } from "./dom.js";

export function preview(client, message) {
  if (!message) return "No messages yet";
  const who = message.from === client.me.user_id ? "You: " : "";
  if (message.recalled) return `${who}message recalled`;
  const c = message.content || {};
  if (c.text) return who + c.text;
  if (c.file_id) return who + ((c.mime || "").startsWith("image/") ? "Image" : `File: ${c.name || "file"}`);
  return who;
}

export function renderSidebar(client, onOpen) {
  const list = $("conversation-list");
  const items = [...client.conversations.values()]
    .sort((a, b) => (b.updated_at || 0) - (a.updated_at || 0));
  list.replaceChildren(...items.map((c) => {
    const title = client.title(c.conversation);
    const isUser = c.conversation.startsWith("u:");
    const peer = c.conversation.slice(2);
    const status = isUser && peer !== client.me.user_id ? (client.presence.get(peer) || "offline") : null;
    const unread = c.unread || 0;
    const mentions = c.mentions || 0;
    const label = `${title}${status ? `, ${status}` : ""}${unread ? `, ${unread} unread` : ""}`
      + (mentions ? `, ${mentions === 1 ? "1 mention" : `${mentions} mentions`} of you` : "");
    return el("li", { "aria-current": client.active === c.conversation ? "true" : "false",
                      dataset: { conversation: c.conversation } },
      el("button", { type: "button", "aria-label": label, onclick: () => onOpen(c.conversation) },
        el("span", { class: "avatar", "aria-hidden": "true" }, isUser ? title.slice(0, 1) : "#",
          status ? el("span", { class: "dot", dataset: { status } }) : null),
        el("span", { class: "conv-name" }, title),
        el("span", { class: "badges" },
          mentions ? el("span", { class: "mention-badge", title: `${mentions} unread mention${mentions === 1 ? "" : "s"}`,
                                  "aria-hidden": "true" }, "@") : null,
          unread ? el("span", { class: "badge", "aria-hidden": "true" }, unread > 99 ? "99+" : unread)
                 : el("span", { class: "conv-time" }, clock(c.updated_at))),
        el("span", { class: "conv-last" }, preview(client, c.last_message))));
  }));
}
