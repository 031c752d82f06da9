/*
 * A WebSocket to this origin that comes back by itself (docs/protocol.md, "Never a lost word").
 *
 * It reconnects after 0.5 s, doubling up to 10 s, and at once when the browser says it is
 * online again (while the browser says it is offline, it does not try). It gives up only on the close codes that mean "you may not" (4401, 4403):
 * the owner then decides what to tell the person. The owner keeps its own outbox; this
 * module only says when the socket is up (`onOpen`) and down (`onDown`).
 */

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10000;
const FINAL_CODES = new Set([4401, 4403]);

export function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

export class Socket {
  /**
   * @param {string} path e.g. "/ws/chat/"
   * @param {{onOpen?: Function, onFrame?: Function, onDown?: Function, onFinal?: Function}} handlers
   */
  constructor(path, handlers) {
    this.url = socketUrl(path);
    this.handlers = handlers;
    this.ws = null;
    this.delay = FIRST_DELAY_MS;
    this.timer = null;
    this.stopped = false;
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.drop();
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  connect() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || this.ws !== null) {
      return;
    }
    if (navigator.onLine === false) {
      return; // the "online" event brings the next attempt
    }
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (error) {
      this.schedule();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (this.ws !== ws) {
        return;
      }
      this.delay = FIRST_DELAY_MS;
      this.call("onOpen");
    });
    ws.addEventListener("message", (event) => {
      if (this.ws !== ws || typeof event.data !== "string") {
        return;
      }
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (frame && typeof frame.type === "string") {
        this.call("onFrame", frame);
      }
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) {
        return;
      }
      this.ws = null;
      if (FINAL_CODES.has(event.code)) {
        this.stopped = true;
        this.call("onFinal", event.code);
        return;
      }
      this.call("onDown");
      this.schedule();
    });
  }

  schedule() {
    if (this.stopped || this.timer !== null) {
      return;
    }
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, wait);
  }

  /** Closes the current socket (if any) and lets the backoff bring a new one. */
  drop() {
    const ws = this.ws;
    if (ws === null) {
      return;
    }
    this.ws = null;
    try {
      ws.close(1000);
    } catch (error) {
      // already closing
    }
    this.call("onDown");
    this.schedule();
  }

  /** Replaces the socket now: after a gap in `seq`, or when the network is back. */
  reconnectNow() {
    if (this.stopped) {
      return;
    }
    const ws = this.ws;
    this.ws = null;
    if (ws !== null) {
      try {
        ws.close(1000);
      } catch (error) {
        // already closing
      }
      this.call("onDown");
    }
    this.delay = FIRST_DELAY_MS;
    this.connect();
  }

  /** Sends a frame if the socket is open; returns whether it went. */
  send(frame) {
    if (!this.isOpen) {
      return false;
    }
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** For good: no reconnect, no listeners left behind. */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    const ws = this.ws;
    this.ws = null;
    if (ws !== null) {
      try {
        ws.close(1000);
      } catch (error) {
        // already closing
      }
    }
  }

  call(name, ...args) {
    const handler = this.handlers[name];
    if (typeof handler === "function") {
      handler(...args);
    }
  }
}

/** A client_id for an outgoing message (1-64 of A-Z a-z 0-9 _ . : -). */
export function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The messages of one conversation as the client has shown them: de-duplicated by `seq`,
 * with the highest seq up to which nothing is missing (what `hello`/replay needs).
 */
export class SeqLog {
  constructor() {
    this.seen = new Set();
    this.contiguous = 0;
    this.highest = 0;
  }

  has(seq) {
    return seq <= this.contiguous || this.seen.has(seq);
  }

  /** Records `seq`; returns false if it was already known. */
  add(seq) {
    if (this.has(seq)) {
      return false;
    }
    this.seen.add(seq);
    this.highest = Math.max(this.highest, seq);
    while (this.seen.has(this.contiguous + 1)) {
      this.contiguous += 1;
      this.seen.delete(this.contiguous);
    }
    return true;
  }

  /** Whether `seq` would leave a hole below it. */
  gapBefore(seq) {
    return seq > this.contiguous + 1;
  }
}

/** Formats an ISO time as hours:minutes in the page's language. */
export function clock(iso) {
  const date = iso ? new Date(iso) : new Date();
  if (Number.isNaN(date.getTime())) {
    return "";
  }
  const language = document.documentElement.lang || "da";
  return new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit" }).format(date);
}

/** The translated strings a page keeps in `<template id=…>` as `<span data-key>` items. */
/** Removes from `outbox` the unacknowledged message the server now echoes back as stored, and
 * returns the element already showing it (null when this client did not send it). */
export function claimFromOutbox(outbox, clientId) {
  const index = clientId ? outbox.findIndex((entry) => entry.clientId === clientId) : -1;
  return index >= 0 ? outbox.splice(index, 1)[0].element : null;
}

/** Shows a time as hh:mm in a <time> element and keeps the machine-readable value. */
export function stampTime(element, iso) {
  element.textContent = clock(iso);
  if (iso) {
    element.dateTime = iso;
  }
}

export function readWords(templateId) {
  const words = {};
  const template = document.getElementById(templateId);
  if (template) {
    for (const item of template.content.querySelectorAll("[data-key]")) {
      words[item.dataset.key] = item.textContent.trim();
    }
  }
  return words;
}

/** Fills "{name}" placeholders. */
export function fill(text, values) {
  return String(text || "").replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
}
