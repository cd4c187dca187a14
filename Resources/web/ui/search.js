// Message search (`GET /api/search`): a box above the conversation list; the
// results (conversation, sender, time and the server's plain-text snippet with
// the query words marked) replace the list until the search is closed.
// Snippets are text: they go into the page through text nodes only.

import { $, el, clock } from "./dom.js";

/** The snippet as nodes, each query word marked (case-insensitive), never parsed as markup. */
export function markedSnippet(snippet, query) {
  const words = query.split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (!words.length) return [snippet];
  const pattern = new RegExp(`(${words.join("|")})`, "gi");
  return snippet.split(pattern).map((part, i) => (i % 2 ? el("mark", {}, part) : part));
}

export class SearchView {
  constructor(client, onOpen) {
    this.client = client;
    this.onOpen = onOpen;
    this.serial = 0;
    $("search-form").onsubmit = (event) => {
      event.preventDefault();
      this.run();
    };
    $("search-input").addEventListener("input", () => {
      if (!$("search-input").value.trim()) this.close();
    });
    $("search-input").addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); this.close(); }
    });
    $("search-scope").onchange = () => { if ($("search-input").value.trim()) this.run(); };
    $("search-close").onclick = () => this.close();
    client.addEventListener("change", () => this.scopeLabel());
    this.scopeLabel();
  }

  /** "This chat" names the open conversation, and is only offered while one is open. */
  scopeLabel() {
    const option = $("search-scope").querySelector('option[value="active"]');
    const active = this.client.active;
    option.disabled = !active;
    option.title = active ? `Only in ${this.client.title(active)}` : "";
    if (!active && $("search-scope").value === "active") $("search-scope").value = "";
  }

  close() {
    this.serial += 1;
    $("search-input").value = "";
    $("search-results").hidden = true;
    $("conversation-list").hidden = false;
    $("result-list").replaceChildren();
  }

  async run() {
    const q = $("search-input").value.trim();
    if (!q) return this.close();
    const c = this.client;
    const scope = $("search-scope").value === "active" && c.active ? c.active : null;
    const serial = ++this.serial;
    $("search-results").hidden = false;
    $("conversation-list").hidden = true;
    $("search-status").textContent = "Searching…";
    let results;
    try {
      results = await c.search(q, scope);
    } catch (e) {
      if (serial !== this.serial) return;
      $("search-status").textContent = e.status === 403 ? "You cannot search that conversation."
        : e.status ? `Search failed: ${e.message}` : "Search needs a connection.";
      $("result-list").replaceChildren();
      return;
    }
    if (serial !== this.serial) return;
    const where = scope ? ` in ${c.title(scope)}` : "";
    $("search-status").textContent = results.length
      ? `${results.length} result${results.length === 1 ? "" : "s"} for “${q}”${where}`
      : `Nothing found for “${q}”${where}`;
    $("result-list").replaceChildren(...results.map((m) => this.result(m, q)));
  }

  result(m, q) {
    const c = this.client;
    const who = m.from === c.me.user_id ? "You" : c.userName(m.from);
    const title = c.title(m.conversation);
    const snippet = typeof m.snippet === "string" ? m.snippet : ((m.content && m.content.text) || "");
    return el("li", { dataset: { messageId: m.message_id, conversation: m.conversation } },
      el("button", { type: "button", class: "result", onclick: () => this.onOpen(m.conversation, m.message_id) },
        el("span", { class: "result-head" },
          el("span", { class: "result-where" }, title === who ? who : `${title} · ${who}`),
          el("time", { datetime: new Date(m.timestamp || 0).toISOString() }, clock(m.timestamp))),
        el("span", { class: "snippet" }, ...markedSnippet(snippet, q))));
  }
}
