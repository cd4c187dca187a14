// One WebSocket to the server, kept alive: `welcome`, requests with a
// `message_id` answered by `ack`/`error` carrying `ref`, heartbeats every 30 s,
// and automatic reconnection with exponential backoff and jitter.
//
// Events (handlers set by the owner):
//   onWelcome(data)        after every (re)connect, before any item
//   onItem(frame)          an inbox item (has data.seq)
//   onEphemeral(frame)     typing / presence / kicked
//   onState(state, info)   "connecting" | "online" | "offline" | "stopped"

const HEARTBEAT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 20_000;

export function newId(prefix = "w") {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + "-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class RequestError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export class Socket {
  constructor({ token, device }) {
    this.token = token;
    this.device = device;
    this.ws = null;
    this.pending = new Map();
    this.attempt = 0;
    this.timer = null;
    this.heartbeat = null;
    this.stopped = true;
    this.state = "offline";
    this.onWelcome = () => {};
    this.onItem = () => {};
    this.onEphemeral = () => {};
    this.onState = () => {};
    this.onFatal = () => {};
    window.addEventListener("offline", () => this.dropForOffline());
    window.addEventListener("online", () => this.reconnectNow());
  }

  get online() {
    return this.state === "online";
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.closeSocket(1000);
    this.setState("stopped");
  }

  setState(state, info) {
    this.state = state;
    this.onState(state, info);
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const q = new URLSearchParams({ token: this.token, device: this.device });
    return `${scheme}//${location.host}/ws?${q}`;
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped || this.ws) return;
    if (navigator.onLine === false) {
      // The browser knows there is no network: wait for its `online` event.
      this.setState("offline");
      return;
    }
    this.setState("connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onmessage = (event) => this.receive(event.data);
    ws.onclose = (event) => this.closed(ws, event.code);
    ws.onerror = () => { /* followed by close */ };
  }

  closeSocket(code) {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    ws.onmessage = null;
    ws.onclose = null;
    try { ws.close(code); } catch { /* already closed */ }
    this.lost();
  }

  /** The browser went offline: close at once instead of waiting for a timeout. */
  dropForOffline() {
    if (this.stopped) return;
    this.closeSocket(1000);
    clearTimeout(this.timer);
    this.setState("offline");
  }

  reconnectNow() {
    if (this.stopped) return;
    this.attempt = 0;
    this.connect();
  }

  lost() {
    clearInterval(this.heartbeat);
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new RequestError("disconnected", "connection lost"));
    }
    this.pending.clear();
  }

  closed(ws, code) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.lost();
    if (code === 4401) {
      this.stopped = true;
      this.setState("stopped", "signed out");
      this.onFatal("unauthenticated");
      return;
    }
    if (code === 4409) {
      this.stopped = true;
      this.setState("stopped", "open in another tab");
      return;
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const base = Math.min(30_000, 500 * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * base / 2;
    this.attempt += 1;
    this.setState("offline", { retryIn: delay });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  receive(text) {
    let frame;
    try { frame = JSON.parse(text); } catch { return; }
    const data = frame.data || {};
    switch (frame.type) {
      case "welcome":
        this.attempt = 0;
        this.heartbeat = setInterval(() => this.request("heartbeat", {}).catch(() => {}), HEARTBEAT_MS);
        this.setState("online");
        this.onWelcome(data);
        return;
      case "ack":
      case "error": {
        const waiter = this.pending.get(data.ref);
        if (!waiter) return;
        this.pending.delete(data.ref);
        clearTimeout(waiter.timer);
        if (frame.type === "ack") waiter.resolve(data);
        else waiter.reject(new RequestError(data.code, data.message));
        return;
      }
      default:
        if (typeof data.seq === "number") this.onItem(frame);
        else this.onEphemeral(frame);
    }
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ timestamp: Date.now(), ...frame }));
    return true;
  }

  /** Sends a request and resolves with its ack's data (rejects with the error). */
  request(type, data, messageId = newId("r")) {
    return new Promise((resolve, reject) => {
      if (!this.online) return reject(new RequestError("disconnected", "not connected"));
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        reject(new RequestError("timeout", "no answer"));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(messageId, { resolve, reject, timer });
      this.send({ type, data, message_id: messageId });
    });
  }

  ack(seq) {
    this.send({ type: "ack", data: { seq } });
  }

  typing(target) {
    this.send({ type: "typing", data: target });
  }
}
