// Local state in IndexedDB, one database per user: the inbox cursor (`seq`),
// the server's `epoch`, received messages, the outbox of messages typed while
// offline, and small caches (user names, groups, conversation list, receipts).

const VERSION = 1;

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Sort key of a Snowflake id (decimal string): fixed width, so strings compare like numbers. */
export function idKey(id) {
  return String(id).padStart(20, "0");
}

export class Store {
  constructor(db) {
    this.db = db;
  }

  static async open(userId) {
    const request = indexedDB.open(`roost-${userId}`, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta");
      const messages = db.createObjectStore("messages", { keyPath: "message_id" });
      messages.createIndex("conv", ["conversation", "sort"]);
      db.createObjectStore("outbox", { keyPath: "client_id" });
    };
    return new Store(await promisify(request));
  }

  tx(stores, mode, body) {
    return new Promise((resolve, reject) => {
      const t = this.db.transaction(stores, mode);
      let result;
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
      result = body(t);
    });
  }

  async get(key) {
    return promisify(this.db.transaction("meta").objectStore("meta").get(key));
  }

  async set(key, value) {
    return this.tx("meta", "readwrite", (t) => { t.objectStore("meta").put(value, key); });
  }

  /** Writes messages (records) and meta values in one transaction. */
  async commit({ messages = [], meta = {}, deleteOutbox = [] }) {
    return this.tx(["messages", "meta", "outbox"], "readwrite", (t) => {
      const store = t.objectStore("messages");
      for (const m of messages) store.put({ ...m, sort: idKey(m.message_id) });
      for (const [key, value] of Object.entries(meta)) t.objectStore("meta").put(value, key);
      for (const id of deleteOutbox) t.objectStore("outbox").delete(id);
    });
  }

  async message(id) {
    return promisify(this.db.transaction("messages").objectStore("messages").get(id));
  }

  /** The newest `limit` messages of a conversation (optionally older than `before`), oldest first. */
  async messages(conversation, limit = 100, before = null) {
    const index = this.db.transaction("messages").objectStore("messages").index("conv");
    const upper = before ? [conversation, idKey(before)] : [conversation, "\uffff"];
    const range = IDBKeyRange.bound([conversation, ""], upper, false, !!before);
    const out = [];
    return new Promise((resolve, reject) => {
      const cursor = index.openCursor(range, "prev");
      cursor.onerror = () => reject(cursor.error);
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c || out.length >= limit) return resolve(out.reverse());
        out.push(c.value);
        c.continue();
      };
    });
  }

  async outbox() {
    const all = await promisify(this.db.transaction("outbox").objectStore("outbox").getAll());
    return all.sort((a, b) => a.created - b.created);
  }

  async queue(entry) {
    return this.tx("outbox", "readwrite", (t) => { t.objectStore("outbox").put(entry); });
  }

  async unqueue(clientId) {
    return this.tx("outbox", "readwrite", (t) => { t.objectStore("outbox").delete(clientId); });
  }

  /** Drops everything received (a new epoch: the server was restored). The outbox stays. */
  async reset() {
    return this.tx(["messages", "meta"], "readwrite", (t) => {
      t.objectStore("messages").clear();
      t.objectStore("meta").clear();
    });
  }
}
