/*
 * The young person's chat (/chat/ and the widget's /chat/widget/). See docs/protocol.md.
 *
 * Privacy: the conversation token and the resume code live only in `session` below, in this
 * module's memory. Nothing is written to localStorage, sessionStorage, cookies or the URL.
 * Message text is only ever set with textContent, so a message can never become markup.
 */
import { Socket, SeqLog, claimFromOutbox, clock, fill, newClientId, readWords, stampTime } from "./socket.js";

const NEUTRAL_SITE = "https://www.dr.dk/";
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 6000;
const RESEND_AFTER_LIMIT_MS = 1500;
const MAX_BODY = 4000;
const STATUS_EVERY_MS = 30000;

const root = document.getElementById("chat");
const byId = (id) => document.getElementById(id);
const words = readWords("chat-words");
const inFrame = root !== null && root.dataset.inWidget === "1" && window.top !== window.self;

const ui = {
  start: byId("chat-start"),
  startHeading: byId("chat-start-heading"),
  startForm: byId("chat-start-form"),
  openStatus: byId("chat-open-status"),
  closed: byId("chat-closed"),
  municipality: byId("chat-municipality"),
  topic: byId("chat-topic"),
  nickname: byId("chat-nickname"),
  letter: byId("chat-letter"),
  resume: byId("chat-resume"),
  resumeForm: byId("chat-resume-form"),
  resumeCode: byId("chat-resume-code"),
  resumeDelete: byId("chat-resume-delete"),
  resumeDeleteConfirm: byId("chat-resume-delete-confirm"),
  room: byId("chat-room"),
  roomHeading: byId("chat-room-heading"),
  codeBox: byId("chat-code-box"),
  code: byId("chat-code"),
  connection: byId("chat-connection"),
  queue: byId("chat-queue"),
  position: byId("chat-queue-position"),
  eta: byId("chat-queue-eta"),
  state: byId("chat-state"),
  log: byId("chat-log"),
  typing: byId("chat-typing"),
  compose: byId("chat-compose"),
  input: byId("chat-input"),
  end: byId("chat-end"),
  endButton: byId("chat-end-button"),
  endConfirm: byId("chat-end-confirm"),
  rate: byId("chat-rate"),
  rated: byId("chat-rated"),
  remove: byId("chat-delete"),
  removeButton: byId("chat-delete-button"),
  removeConfirm: byId("chat-delete-confirm"),
  gone: byId("chat-gone"),
  goneHeading: byId("chat-gone-heading"),
  fresh: byId("chat-new"),
  error: byId("chat-error"),
  errorText: byId("chat-error-text"),
  announcer: byId("chat-announcer"),
  messageTemplate: byId("chat-message"),
};

let mode = "chat"; // or "letter": what the start form sends
let busy = false;
let exiting = false;
let lastEscape = 0;
/** Everything about the open conversation; null when there is none. In memory only. */
let session = null;

// --- small helpers ------------------------------------------------------------------------------

function show(element, visible) {
  if (element) {
    element.hidden = !visible;
  }
}

function showError(key, fallback) {
  ui.errorText.textContent = words[key] || fallback || words.error_other;
  show(ui.error, true);
}

function clearError() {
  show(ui.error, false);
  ui.errorText.textContent = "";
}

let announceTimer = null;
function announce(text) {
  // Emptied first so the same words are read again when they repeat.
  ui.announcer.textContent = "";
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    ui.announcer.textContent = text;
  }, 50);
}

function humanWait(seconds) {
  if (seconds === null || seconds === undefined) {
    return null;
  }
  if (seconds < 60) {
    return words.eta_under_minute;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes <= 1) {
    return words.eta_one_minute;
  }
  if (minutes > 60) {
    return words.eta_over_hour;
  }
  return fill(words.eta_minutes, { n: minutes });
}

async function api(method, path, body) {
  const options = { method, headers: { Accept: "application/json" }, credentials: "omit", cache: "no-store" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  return { status: response.status, data };
}

function httpErrorKey(result) {
  const code = result.data && result.data.code;
  if (result.status === 429 || code === "rate_limited") {
    return "error_rate_limited";
  }
  if (result.status === 403 || code === "blocked") {
    return "error_blocked";
  }
  if (result.status === 404) {
    return "error_not_found";
  }
  if (result.status === 409 || code === "legal_hold") {
    return "error_legal_hold";
  }
  if (code === "too_long") {
    return "error_too_long";
  }
  if (code === "empty") {
    return "error_letter_missing";
  }
  return "error_other";
}

// --- the start screen ---------------------------------------------------------------------------

function setMode(next) {
  mode = next;
  for (const element of ui.start.querySelectorAll("[data-mode]")) {
    element.hidden = element.dataset.mode !== mode;
  }
}

async function checkStatus() {
  try {
    const result = await api("GET", "/api/chat/status");
    if (result.status !== 200 || !result.data) {
      return null;
    }
    return result.data;
  } catch (error) {
    return null;
  }
}

function showStatus(status) {
  if (status === null) {
    return;
  }
  if (status.open) {
    ui.openStatus.textContent = fill(words.open_waiting, { n: status.waiting });
    show(ui.openStatus, true);
    show(ui.closed, false);
  } else {
    show(ui.openStatus, false);
    show(ui.closed, true);
    setMode("letter");
  }
}

function startDetails() {
  return {
    municipality: ui.municipality.value || null,
    topic: ui.topic.value || null,
    nickname: ui.nickname.value.trim() || null,
  };
}

async function onStart(event) {
  event.preventDefault();
  if (busy) {
    return;
  }
  clearError();
  busy = true;
  ui.startForm.setAttribute("aria-busy", "true");
  try {
    if (mode === "letter") {
      await sendLetter();
    } else {
      await startChat();
    }
  } catch (error) {
    showError("error_network");
  } finally {
    busy = false;
    ui.startForm.removeAttribute("aria-busy");
  }
}

async function startChat() {
  // Asked again now: a shift may have ended since the page loaded.
  const status = await checkStatus();
  if (status !== null && !status.open) {
    showStatus(status);
    ui.startHeading.focus();
    return;
  }
  const result = await api("POST", "/api/chat/conversations", startDetails());
  if (result.status !== 201) {
    showError(httpErrorKey(result));
    return;
  }
  openRoom(result.data.token, result.data.resume_code, "chat");
}

async function sendLetter() {
  const body = ui.letter.value;
  if (!body.trim()) {
    showError("error_letter_missing");
    ui.letter.focus();
    return;
  }
  const result = await api("POST", "/api/chat/letters", { ...startDetails(), body });
  if (result.status !== 201) {
    showError(httpErrorKey(result));
    return;
  }
  ui.letter.value = "";
  openRoom(result.data.token, result.data.resume_code, "letter");
}

async function onResume(event) {
  event.preventDefault();
  if (busy) {
    return;
  }
  clearError();
  const code = ui.resumeCode.value.trim();
  if (!code) {
    showError("error_code_missing");
    ui.resumeCode.focus();
    return;
  }
  busy = true;
  try {
    const result = await api("POST", "/api/chat/resume", { resume_code: code });
    if (result.status !== 200) {
      showError(httpErrorKey(result));
      ui.resumeCode.focus();
      return;
    }
    ui.resumeCode.value = "";
    openRoom(result.data.token, code, null, { showCode: false });
    announce(words.resumed);
  } catch (error) {
    showError("error_network");
  } finally {
    busy = false;
  }
}

// --- the conversation ---------------------------------------------------------------------------

function newSession(token, resumeCode, kind) {
  return {
    token,
    resumeCode,
    kind: kind || "chat",
    state: null,
    welcomed: false,
    welcomeSeq: 0,
    log: new SeqLog(),
    outbox: [], // {clientId, body, element}: kept until its ack
    elements: new Map(), // seq -> <li>
    counselorRead: 0,
    readSent: 0,
    typingSent: 0,
    typingTimer: null,
    position: null,
    gapRetried: 0,
    pendingEnd: false,
    pendingRate: null,
    hasAnswer: false,
    socket: null,
  };
}

/** `resumeCode` stays in memory for deleting the conversation; it is shown only when new. */
function openRoom(token, resumeCode, kind, { showCode = true } = {}) {
  session = newSession(token, resumeCode, kind);
  ui.log.replaceChildren();
  show(ui.start, false);
  show(ui.resume, false);
  show(ui.room, true);
  closeDeleteConfirm();
  if (resumeCode && showCode) {
    ui.code.textContent = resumeCode;
    show(ui.codeBox, true);
  } else {
    show(ui.codeBox, false);
  }
  showKind(session.kind);
  show(ui.compose, false);
  show(ui.end, false);
  ui.roomHeading.focus();
  const current = session;
  current.socket = new Socket("/ws/chat/", {
    onOpen: () => onOpen(current),
    onFrame: (frame) => onFrame(current, frame),
    onDown: () => onDown(current),
    onFinal: (code) => onFinal(current, code),
  });
  current.socket.start();
}

function showKind(kind) {
  for (const element of ui.room.querySelectorAll("[data-kind]")) {
    element.hidden = element.dataset.kind !== kind;
  }
}

function onOpen(current) {
  if (current !== session) {
    return;
  }
  current.socket.send({ type: "hello", token: current.token, last_seq: current.log.contiguous });
}

let downTimer = null;
function onDown(current) {
  if (current !== session) {
    return;
  }
  current.welcomed = false;
  // Shown only if the socket stays away for a moment: a quick reconnect should not flicker.
  clearTimeout(downTimer);
  downTimer = setTimeout(() => {
    if (session === current && !current.welcomed) {
      show(ui.connection, true);
    }
  }, 800);
}

function onFinal(current, code) {
  if (current !== session) {
    return;
  }
  current.welcomed = false;
  show(ui.connection, false);
  show(ui.compose, false);
  show(ui.end, false);
  show(ui.typing, false);
  if (ui.error.hidden) {
    showError(code === 4403 ? "error_blocked" : "error_bad_token");
  }
  show(ui.fresh, true);
}

function onFrame(current, frame) {
  if (current !== session) {
    return;
  }
  switch (frame.type) {
    case "welcome":
      onWelcome(frame);
      break;
    case "msg":
      onMessage(frame);
      break;
    case "ack":
      onAck(frame);
      break;
    case "queue":
      onQueue(frame);
      break;
    case "state":
      applyState(frame.state, false);
      break;
    case "typing":
      if (frame.side === "counselor") {
        showTyping();
      }
      break;
    case "read":
      if (frame.side === "counselor") {
        session.counselorRead = Math.max(session.counselorRead, frame.seq || 0);
        refreshMarks();
      }
      break;
    case "rated":
      onRated();
      break;
    case "deleted":
      showGone(); // deleted with the code, here or on another device
      break;
    case "error":
      onError(frame);
      break;
    default:
      break;
  }
}

function onWelcome(frame) {
  session.welcomed = true;
  session.welcomeSeq = frame.last_seq || 0;
  clearTimeout(downTimer);
  show(ui.connection, false);
  if (frame.kind && frame.kind !== session.kind) {
    session.kind = frame.kind;
    showKind(session.kind);
  }
  applyState(frame.state, session.state === null, true);
  // The outbox goes again, unchanged: the server stores each client_id once.
  flushOutbox();
  if (session.pendingEnd) {
    session.pendingEnd = false;
    session.socket.send({ type: "end" });
  }
  if (session.pendingRate) {
    session.socket.send(session.pendingRate);
  }
  sendRead();
}

function flushOutbox() {
  if (!session || !session.welcomed) {
    return;
  }
  for (const item of session.outbox) {
    session.socket.send({ type: "msg", client_id: item.clientId, body: item.body });
  }
}

function messageElement(sender) {
  const item = ui.messageTemplate.content.firstElementChild.cloneNode(true);
  item.classList.add(`chat-msg--${sender}`);
  const who = sender === "young" ? words.you : sender === "counselor" ? words.counselor : words.system;
  item.querySelector(".chat-msg-who").textContent = who;
  return item;
}

function placeBySeq(item, seq) {
  item.dataset.seq = String(seq);
  for (const other of ui.log.children) {
    if (other === item) {
      continue;
    }
    const otherSeq = other.dataset.seq ? Number(other.dataset.seq) : Infinity;
    if (otherSeq > seq) {
      ui.log.insertBefore(item, other);
      return;
    }
  }
  ui.log.appendChild(item);
}

function setStatus(item, key) {
  const status = item.querySelector(".chat-msg-status");
  if (status) {
    status.dataset.status = key;
    status.textContent = words[key] || "";
  }
}

function refreshMarks() {
  for (const [seq, item] of session.elements) {
    if (item.classList.contains("chat-msg--young")) {
      setStatus(item, seq <= session.counselorRead ? "read" : "delivered");
    }
  }
}

function onMessage(frame) {
  const seq = Number(frame.seq);
  if (!Number.isInteger(seq) || seq < 1 || session.log.has(seq)) {
    return; // already shown: a replay or a twin
  }
  if (session.log.gapBefore(seq)) {
    if (session.gapRetried !== seq) {
      // Something was missed: a new socket's hello replays from the last seq without a hole.
      session.gapRetried = seq;
      session.socket.reconnectNow();
      return;
    }
    // The replay did not fill it either (the text was deleted): go on from here.
    session.log.contiguous = seq - 1;
  }
  session.log.add(seq);
  let item = frame.sender === "young" ? claimFromOutbox(session.outbox, frame.client_id) : null;
  if (item === null) {
    item = messageElement(frame.sender);
    item.querySelector(".chat-msg-body").textContent = String(frame.body || "");
  }
  stampTime(item.querySelector(".chat-msg-time"), frame.at);
  session.elements.set(seq, item);
  placeBySeq(item, seq);
  if (frame.sender === "young") {
    setStatus(item, seq <= session.counselorRead ? "read" : "delivered");
  } else {
    const status = item.querySelector(".chat-msg-status");
    if (status) {
      status.remove();
    }
  }
  if (frame.sender === "counselor") {
    session.hasAnswer = true;
    hideTyping();
    if (seq > session.welcomeSeq) {
      announce(fill(words.new_message, { text: String(frame.body || "") }));
    }
    if (session.kind === "letter") {
      applyState(session.state, true);
    }
  }
  sendRead();
}

function onAck(frame) {
  const index = session.outbox.findIndex((entry) => entry.clientId === frame.client_id);
  if (index < 0) {
    return; // a resend of a message already confirmed
  }
  const entry = session.outbox[index];
  session.outbox.splice(index, 1);
  const seq = Number(frame.seq);
  session.log.add(seq);
  session.elements.set(seq, entry.element);
  placeBySeq(entry.element, seq);
  setStatus(entry.element, seq <= session.counselorRead ? "read" : "delivered");
}

function onQueue(frame) {
  if (session.state !== "waiting" || session.kind !== "chat") {
    return;
  }
  const position = frame.position;
  ui.position.textContent = fill(words.position, { n: position });
  const wait = humanWait(frame.eta_s);
  ui.eta.textContent = wait === null ? words.eta_unknown : fill(words.eta, { time: wait });
  show(ui.queue, true);
  if (position !== session.position) {
    session.position = position;
    announce(`${ui.position.textContent} ${ui.eta.textContent}`);
  }
}

function applyState(state, initial, fromWelcome = false) {
  const previous = session.state;
  session.state = state;
  const finished = state === "ended" || state === "abandoned";
  show(ui.remove, Boolean(session.resumeCode) && (finished || session.kind === "letter"));
  if (session.kind === "letter") {
    show(ui.queue, false);
    show(ui.compose, false);
    show(ui.end, false);
    let key = "letter_waiting";
    if (session.hasAnswer) {
      key = "letter_answered";
    } else if (state === "active") {
      key = "letter_active";
    } else if (finished) {
      key = "state_ended";
    }
    ui.state.textContent = words[key];
    show(ui.state, true);
    return;
  }
  show(ui.compose, !finished);
  show(ui.end, !finished);
  if (state === "waiting") {
    show(ui.state, false);
    show(ui.queue, true);
    if (session.position === null) {
      ui.position.textContent = "";
      ui.eta.textContent = words.eta_unknown;
    }
    if (previous === "active" && !fromWelcome) {
      // Back in the queue (the counselor's connection was lost): the server does not put this
      // socket back among the waiting, so a new hello does, and brings the position with it.
      session.position = null;
      session.socket.reconnectNow();
    }
    return;
  }
  show(ui.queue, false);
  if (state === "active") {
    ui.state.textContent = words.state_active;
    show(ui.state, true);
    if (!initial && previous === "waiting") {
      announce(words.joined);
    }
    return;
  }
  if (finished) {
    hideTyping();
    closeConfirm();
    ui.state.textContent = state === "ended" ? words.state_ended : words.state_abandoned;
    show(ui.state, true);
    for (const entry of session.outbox) {
      setStatus(entry.element, "not_sent");
    }
    session.outbox = [];
    show(ui.rate, state === "ended" && !ui.rate.dataset.done);
    show(ui.fresh, true);
    if (!initial) {
      announce(ui.state.textContent);
    }
  }
}

function showTyping() {
  show(ui.typing, true);
  clearTimeout(session.typingTimer);
  session.typingTimer = setTimeout(hideTyping, TYPING_SHOWN_MS);
}

function hideTyping() {
  if (session) {
    clearTimeout(session.typingTimer);
  }
  show(ui.typing, false);
}

function sendRead() {
  if (!session || !session.welcomed || document.visibilityState !== "visible") {
    return;
  }
  const seq = session.log.contiguous;
  if (seq > session.readSent) {
    session.readSent = seq;
    session.socket.send({ type: "read", seq });
  }
}

function onError(frame) {
  const code = frame.code;
  switch (code) {
    case "rate_limited":
    case "flood":
      showError("error_slow_down");
      setTimeout(flushOutbox, RESEND_AFTER_LIMIT_MS);
      break;
    case "hello_timeout":
      break; // the socket comes back by itself
    case "bad_token":
    case "hello_first":
      showError("error_bad_token");
      break;
    case "blocked":
      showError("error_blocked");
      break;
    case "rated":
      ui.rate.dataset.done = "1";
      show(ui.rate, false);
      session.pendingRate = null;
      showError("error_rated");
      break;
    case "too_long":
    case "empty":
    case "ended":
    case "letter":
    case "not_ended":
      showError(`error_${code}`);
      break;
    default:
      showError("error_other");
  }
}

function onCompose(event) {
  event.preventDefault();
  if (!session) {
    return;
  }
  clearError();
  const body = ui.input.value;
  if (!body.trim()) {
    showError("error_empty");
    ui.input.focus();
    return;
  }
  if (body.length > MAX_BODY) {
    showError("error_too_long");
    ui.input.focus();
    return;
  }
  const item = messageElement("young");
  item.querySelector(".chat-msg-body").textContent = body;
  item.querySelector(".chat-msg-time").textContent = clock(null);
  setStatus(item, "sending");
  ui.log.appendChild(item);
  const entry = { clientId: newClientId(), body, element: item };
  session.outbox.push(entry);
  ui.input.value = "";
  ui.input.focus();
  if (session.welcomed) {
    session.socket.send({ type: "msg", client_id: entry.clientId, body });
  }
  item.scrollIntoView({ block: "nearest" });
}

function onInput() {
  if (!session || !session.welcomed || session.state !== "active") {
    return;
  }
  const now = Date.now();
  if (now - session.typingSent >= TYPING_EVERY_MS) {
    session.typingSent = now;
    session.socket.send({ type: "typing" });
  }
}

function onComposeKey(event) {
  // On a keyboard, Enter sends and Shift+Enter makes a new line; on touch screens Enter is a new line.
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && window.matchMedia("(pointer: fine)").matches) {
    event.preventDefault();
    ui.compose.requestSubmit();
  }
}

function closeConfirm() {
  show(ui.endConfirm, false);
  ui.endButton.setAttribute("aria-expanded", "false");
}

function onEndYes() {
  closeConfirm();
  if (!session) {
    return;
  }
  if (!session.socket.send({ type: "end" })) {
    session.pendingEnd = true;
  }
  ui.endButton.focus();
}

function onRate(event) {
  event.preventDefault();
  if (!session) {
    return;
  }
  clearError();
  const chosen = ui.rate.querySelector("input[name=rating]:checked");
  if (!chosen) {
    showError("error_rating_missing");
    ui.rate.querySelector("input[name=rating]").focus();
    return;
  }
  const comment = ui.rate.querySelector("textarea").value.trim().slice(0, 1000);
  const frame = { type: "rate", rating: Number(chosen.value), comment };
  session.pendingRate = frame;
  if (session.welcomed) {
    session.socket.send(frame);
  }
}

function onRated() {
  session.pendingRate = null;
  ui.rate.dataset.done = "1";
  show(ui.rate, false);
  show(ui.rated, true);
  ui.rated.setAttribute("tabindex", "-1");
  ui.rated.focus();
}

// --- deleting the conversation with its code -----------------------------------------------------

function closeDeleteConfirm() {
  show(ui.removeConfirm, false);
  ui.removeButton.setAttribute("aria-expanded", "false");
  show(ui.resumeDeleteConfirm, false);
  ui.resumeDelete.setAttribute("aria-expanded", "false");
}

function toggle(button, panel) {
  const open = panel.hidden;
  show(panel, open);
  button.setAttribute("aria-expanded", open ? "true" : "false");
}

/** Nothing of the conversation is left: not on the server, not on this page. */
function showGone() {
  if (session && session.socket) {
    session.socket.stop();
  }
  session = null;
  clearError();
  ui.log.replaceChildren();
  ui.code.textContent = "";
  ui.resumeCode.value = "";
  show(ui.start, false);
  show(ui.resume, false);
  show(ui.room, false);
  show(ui.gone, true);
  ui.goneHeading.focus();
}

async function deleteWithCode(code, focusAfterError) {
  if (busy) {
    return;
  }
  busy = true;
  try {
    const result = await api("POST", "/api/chat/delete", { resume_code: code });
    if (result.status === 204) {
      showGone();
      return;
    }
    showError(httpErrorKey(result));
    focusAfterError.focus();
  } catch (error) {
    showError("error_network");
  } finally {
    busy = false;
  }
}

function onDeleteYes() {
  closeDeleteConfirm();
  if (!session || !session.resumeCode) {
    return;
  }
  clearError();
  deleteWithCode(session.resumeCode, ui.removeButton);
}

function onResumeDeleteYes() {
  closeDeleteConfirm();
  clearError();
  const code = ui.resumeCode.value.trim();
  if (!code) {
    showError("error_code_missing");
    ui.resumeCode.focus();
    return;
  }
  deleteWithCode(code, ui.resumeCode);
}

// --- quick exit ---------------------------------------------------------------------------------

function quickExit() {
  if (exiting) {
    return;
  }
  exiting = true;
  if (session && session.socket) {
    session.socket.stop();
  }
  session = null;
  for (const form of document.querySelectorAll("form")) {
    form.reset();
  }
  ui.log.replaceChildren();
  ui.code.textContent = "";
  ui.announcer.textContent = "";
  ui.position.textContent = "";
  document.title = "";
  try {
    window.sessionStorage.clear();
  } catch (error) {
    // storage may be off; nothing of ours is in it anyway
  }
  try {
    window.history.replaceState(null, "", "/");
  } catch (error) {
    // not fatal: the page is replaced below
  }
  if (inFrame) {
    // Leave the host page too: directly where the browser allows it (a cross-origin frame may
    // navigate the top page only right after a click), else through widget.js.
    let left = false;
    if (navigator.userActivation && navigator.userActivation.isActive) {
      try {
        window.top.location.replace(NEUTRAL_SITE);
        left = true;
      } catch (error) {
        left = false;
      }
    }
    if (!left) {
      window.parent.postMessage({ type: "samraad:quick-exit" }, "*");
    }
    window.location.replace("about:blank");
    return;
  }
  window.location.replace(NEUTRAL_SITE);
}

function onKeydown(event) {
  if (event.key !== "Escape") {
    return;
  }
  const now = Date.now();
  if (now - lastEscape <= 1000) {
    quickExit();
  } else {
    lastEscape = now;
  }
}

// --- wiring -------------------------------------------------------------------------------------

function init() {
  if (root === null) {
    return;
  }
  byId("chat-exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", onKeydown, true);
  ui.startForm.addEventListener("submit", onStart);
  byId("chat-to-letter").addEventListener("click", () => {
    clearError();
    setMode("letter");
    ui.startHeading.focus();
  });
  byId("chat-to-chat").addEventListener("click", () => {
    clearError();
    show(ui.closed, false);
    setMode("chat");
    ui.startHeading.focus();
  });
  ui.resumeForm.addEventListener("submit", onResume);
  ui.compose.addEventListener("submit", onCompose);
  ui.input.addEventListener("input", onInput);
  ui.input.addEventListener("keydown", onComposeKey);
  ui.endButton.addEventListener("click", () => {
    const open = ui.endConfirm.hidden;
    show(ui.endConfirm, open);
    ui.endButton.setAttribute("aria-expanded", open ? "true" : "false");
  });
  byId("chat-end-yes").addEventListener("click", onEndYes);
  byId("chat-end-no").addEventListener("click", () => {
    closeConfirm();
    ui.endButton.focus();
  });
  ui.rate.addEventListener("submit", onRate);
  ui.removeButton.addEventListener("click", () => toggle(ui.removeButton, ui.removeConfirm));
  byId("chat-delete-yes").addEventListener("click", onDeleteYes);
  byId("chat-delete-no").addEventListener("click", () => {
    closeDeleteConfirm();
    ui.removeButton.focus();
  });
  ui.resumeDelete.addEventListener("click", () => toggle(ui.resumeDelete, ui.resumeDeleteConfirm));
  byId("chat-resume-delete-yes").addEventListener("click", onResumeDeleteYes);
  byId("chat-resume-delete-no").addEventListener("click", () => {
    closeDeleteConfirm();
    ui.resumeDelete.focus();
  });
  document.addEventListener("visibilitychange", sendRead);
  setMode("chat");
  checkStatus().then((status) => {
    showStatus(status);
    // Says the start screen has settled (chat or letter); tests wait for it.
    root.dataset.status = status === null ? "unknown" : status.open ? "open" : "closed";
  });
  setInterval(refreshStatus, STATUS_EVERY_MS);
}

/** While the start screen is up, keeps "is anyone on shift" current without changing the form. */
async function refreshStatus() {
  if (session !== null || exiting || document.visibilityState !== "visible") {
    return;
  }
  const status = await checkStatus();
  if (status === null || session !== null) {
    return;
  }
  if (status.open) {
    ui.openStatus.textContent = fill(words.open_waiting, { n: status.waiting });
    show(ui.openStatus, true);
    show(ui.closed, false);
  } else {
    show(ui.openStatus, false);
    show(ui.closed, true);
  }
}

init();
