// The HTTP half of the protocol: JSON API calls with the bearer token.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

export class Api {
  constructor(token = null) {
    this.token = token;
  }

  async call(method, path, body, { raw = false, headers = {} } = {}) {
    const init = { method, headers: { ...headers } };
    if (this.token) init.headers.Authorization = `Bearer ${this.token}`;
    if (body instanceof Blob) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (!response.ok) {
      let code, message;
      try {
        const err = (await response.json()).error || {};
        code = err.code;
        message = err.message;
      } catch { /* not JSON */ }
      throw new ApiError(response.status, code, message);
    }
    return raw ? response : response.json();
  }

  register(username, password) { return this.call("POST", "/api/register", { username, password }); }
  login(username, password) { return this.call("POST", "/api/login", { username, password }); }
  me() { return this.call("GET", "/api/me"); }
  user(username) { return this.call("GET", `/api/users/${encodeURIComponent(username)}`); }
  users(ids) { return this.call("GET", `/api/users?ids=${ids.map(encodeURIComponent).join(",")}`); }
  conversations() { return this.call("GET", "/api/conversations?limit=200"); }
  presence(ids) { return this.call("GET", `/api/presence?user_ids=${ids.map(encodeURIComponent).join(",")}`); }
  groups() { return this.call("GET", "/api/groups"); }
  createGroup(name, memberIds) { return this.call("POST", "/api/groups", { name, member_ids: memberIds }); }
  addMembers(groupId, userIds) {
    return this.call("POST", `/api/groups/${encodeURIComponent(groupId)}/members`, { user_ids: userIds });
  }
  leaveGroup(groupId) { return this.call("POST", `/api/groups/${encodeURIComponent(groupId)}/leave`); }
  blocks() { return this.call("GET", "/api/blocks"); }
  block(userId) { return this.call("POST", "/api/blocks", { user_id: userId }); }
  unblock(userId) { return this.call("DELETE", `/api/blocks/${encodeURIComponent(userId)}`); }

  search(q, conversation = null, limit = 30) {
    const query = new URLSearchParams({ q, limit: String(limit) });
    if (conversation) query.set("conversation", conversation);
    return this.call("GET", `/api/search?${query}`);
  }

  upload(file) {
    const name = encodeURIComponent(file.name || "file");
    return this.call("POST", `/api/files?name=${name}`, file, {
      headers: { "Content-Type": file.type || "application/octet-stream" },
    });
  }

  async fileBlob(fileId) {
    const response = await this.call("GET", `/api/files/${encodeURIComponent(fileId)}`, undefined, { raw: true });
    return response.blob();
  }
}
