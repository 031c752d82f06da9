/*
 * The counselor's console (/console/). See docs/protocol.md, "/ws/console/".
 *
 * One socket, several conversations. Each conversation keeps its own outbox (kept until its
 * ack and sent again, unchanged, when the server re-sends `assigned` after a reconnect) and its
 * own de-duplicated log by `seq`. Message text is only ever set with textContent.
 * Narrow screens show one conversation at a time behind tabs; wide ones show them side by side.
 */
import { Socket, SeqLog, claimFromOutbox, clock, fill, newClientId, readWords, stampTime } from "./socket.js";

const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 6000;
const RESYNC_AFTER_MS = 3000;
const MAX_BODY = 4000;

const byId = (id) => document.getElementById(id);
const words = readWords("console-words");
const wide = window.matchMedia("(min-width: 1200px)");

function json(id, fallback) {
  const element = byId(id);
  if (!element) {
    return fallback;
  }
  try {
    return JSON.parse(element.textContent);
  } catch (error) {
    return fallback;
  }
}

const prepared = json("console-prepared", []);
const topicLabels = new Map(json("console-topics", []));
const me = json("console-me", null);

const ui = {
  shift: byId("console-shift"),
  shiftStatus: byId("console-shift-status"),
  take: byId("console-take"),
  connection: byId("console-connection"),
  error: byId("console-error"),
  errorText: byId("console-error-text"),
  announcer: byId("console-announcer"),
  queueCount: byId("console-queue-count"),
  queueOff: byId("console-queue-off"),
  queueEmpty: byId("console-queue-empty"),
  queueList: byId("console-queue-list"),
  lettersCount: byId("console-letters-count"),
  lettersEmpty: byId("console-letters-empty"),
  lettersList: byId("console-letters-list"),
  offers: byId("console-offers"),
  offersList: byId("console-offers-list"),
  none: byId("console-none"),
  tabs: byId("console-tabs"),
  panels: byId("console-panels"),
};

let onShift = false;
let connected = false;
let colleagues = [];
let queueWaiting = [];
let queueReceivedAt = 0;
let queueSize = null;
let selected = null;
let focusNext = false;
let resyncTimer = null;
let unconfirmed = new Set();
/** conversation id -> the conversation's state and its elements */
const conversations = new Map();

// --- small helpers ------------------------------------------------------------------------------

function show(element, visible) {
  if (element) {
    element.hidden = !visible;
  }
}

function showError(key) {
  ui.errorText.textContent = words[key] || words.error_other;
  show(ui.error, true);
}

function clearError() {
  show(ui.error, false);
}

let announceTimer = null;
function announce(text) {
  ui.announcer.textContent = "";
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    ui.announcer.textContent = text;
  }, 50);
}

function nameOf(summary) {
  return summary.nickname || words.anonymous;
}

function placeOf(summary) {
  return summary.municipality || words.no_municipality;
}

function topicOf(value) {
  return value ? topicLabels.get(value) || value : words.no_topic;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) {
    return "–";
  }
  const total = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

function clone(templateId) {
  return byId(templateId).content.firstElementChild.cloneNode(true);
}

function part(root, name) {
  return root.querySelector(`[data-part="${name}"]`);
}

// --- the socket ---------------------------------------------------------------------------------

const socket = new Socket("/ws/console/", {
  onOpen: () => {
    connected = true;
    show(ui.connection, false);
  },
  onFrame: onFrame,
  onDown: () => {
    connected = false;
    show(ui.connection, true);
    for (const conversation of conversations.values()) {
      conversation.synced = false;
    }
  },
  onFinal: () => {
    connected = false;
    show(ui.connection, false);
    ui.shift.disabled = true;
    ui.take.disabled = true;
    showError("error_signed_out");
  },
});

function send(frame) {
  return socket.send(frame);
}

function onFrame(frame) {
  switch (frame.type) {
    case "shift":
      onShiftFrame(frame);
      break;
    case "assigned":
      onAssigned(frame);
      break;
    case "released":
      onReleased(frame);
      break;
    case "queue":
      onQueue(frame);
      break;
    case "msg":
      onMessage(frame);
      break;
    case "ack":
      onAck(frame);
      break;
    case "state":
      onState(frame);
      break;
    case "typing":
      onTyping(frame);
      break;
    case "read":
      onRead(frame);
      break;
    case "note":
      onNote(frame);
      break;
    case "topic":
      onTopic(frame);
      break;
    case "level":
      onLevel(frame);
      break;
    case "triage":
      onTriage(frame);
      break;
    case "offer":
      onOffer(frame);
      break;
    case "offer_withdrawn":
      removeOffer(frame.conversation);
      break;
    case "error":
      onError(frame);
      break;
    case "alert":
      onAlert(frame);
      break;
    default:
      break; // the supervisor's floor frames are not this page's
  }
}

// A supervisor's console hears of every critical message: a banner, and a tone where the
// browser allows sound (it may not before the page has had a click).
function onAlert(frame) {
  const details = [frame.municipality, (frame.reasons || []).join(", ")].filter(Boolean).join(" – ");
  document.getElementById("console-alert-text").textContent = details;
  document.getElementById("console-alert").hidden = false;
  try {
    const context = new (window.AudioContext || window.webkitAudioContext)();
    const tone = context.createOscillator();
    const volume = context.createGain();
    tone.frequency.value = 880;
    volume.gain.value = 0.1;
    tone.connect(volume).connect(context.destination);
    tone.start();
    tone.stop(context.currentTime + 0.4);
  } catch (error) {
    // No sound: the banner says it all.
  }
}

function onShiftFrame(frame) {
  onShift = Boolean(frame.on);
  ui.shift.disabled = false;
  ui.take.disabled = false;
  const before = ui.shift.getAttribute("aria-pressed");
  ui.shift.setAttribute("aria-pressed", onShift ? "true" : "false");
  ui.shiftStatus.textContent = onShift ? words.on_shift : words.off_shift;
  if (before !== ui.shift.getAttribute("aria-pressed")) {
    announce(ui.shiftStatus.textContent);
  }
  if (!onShift) {
    queueWaiting = [];
    renderQueue();
    ui.offersList.replaceChildren();
    show(ui.offers, false);
  }
  // After a (re)connect the server re-sends `assigned` for every conversation still held.
  unconfirmed = new Set([...conversations.values()].filter((c) => !c.synced && !c.finished).map((c) => c.id));
  clearTimeout(resyncTimer);
  resyncTimer = setTimeout(giveUpUnconfirmed, RESYNC_AFTER_MS);
}

function giveUpUnconfirmed() {
  for (const id of unconfirmed) {
    const conversation = conversations.get(id);
    if (conversation && !conversation.synced) {
      setState(conversation, "ended", true);
    }
  }
  unconfirmed = new Set();
}

// --- the queue ----------------------------------------------------------------------------------

function onQueue(frame) {
  queueWaiting = Array.isArray(frame.waiting) ? frame.waiting : [];
  queueReceivedAt = Date.now();
  colleagues = Array.isArray(frame.colleagues) ? frame.colleagues : colleagues;
  renderQueue();
  for (const conversation of conversations.values()) {
    fillColleagues(conversation);
  }
}

function renderQueue() {
  const chats = queueWaiting.filter((item) => item.kind !== "letter");
  const letters = queueWaiting.filter((item) => item.kind === "letter");
  ui.queueList.replaceChildren(...chats.map((item) => queueItem(item, false)));
  ui.lettersList.replaceChildren(...letters.map((item) => queueItem(item, true)));
  ui.queueCount.textContent = String(chats.length);
  ui.lettersCount.textContent = String(letters.length);
  show(ui.queueOff, !onShift);
  show(ui.queueEmpty, onShift && chats.length === 0);
  show(ui.lettersEmpty, letters.length === 0);
  if (onShift && queueSize !== chats.length) {
    if (queueSize !== null) {
      announce(fill(words.queue_count, { n: chats.length }));
    }
    queueSize = chats.length;
  }
  if (!onShift) {
    queueSize = null;
  }
  tick();
}

function queueItem(item, isLetter) {
  const element = clone("console-queue-item");
  element.dataset.conversation = item.conversation;
  part(element, "name").textContent = `${isLetter ? words.kind_letter : words.kind_chat}: ${nameOf(item)}`;
  part(element, "municipality").textContent = placeOf(item);
  part(element, "topic").textContent = topicOf(item.topic);
  const waited = part(element, "waited");
  waited.dataset.base = item.waiting_s === null || item.waiting_s === undefined ? "" : String(item.waiting_s);
  const triage = part(element, "triage");
  if (item.triage_level === "critical" || item.triage_level === "elevated") {
    triage.textContent = words[`triage_${item.triage_level}`];
    triage.classList.add(`console-tag-${item.triage_level}`);
    show(triage, true);
  }
  if (isLetter) {
    const take = part(element, "take");
    show(take, true);
    take.addEventListener("click", () => {
      clearError();
      focusNext = true;
      send({ type: "take", conversation: item.conversation });
    });
  }
  return element;
}

/** Waiting times count up locally from what the last snapshot said; offers count down. */
function tick() {
  const now = Date.now();
  const elapsed = (now - queueReceivedAt) / 1000;
  for (const element of document.querySelectorAll("[data-part=waited]")) {
    const base = element.dataset.base;
    element.textContent = base === "" || base === undefined ? "–" : duration(Number(base) + elapsed);
  }
  for (const item of [...ui.offersList.children]) {
    const left = (Number(item.dataset.expires) - now) / 1000;
    if (left <= 0) {
      removeOffer(item.dataset.conversation);
    } else {
      part(item, "expires").textContent = duration(left);
    }
  }
}

// --- offers (organisations with auto-assignment) ------------------------------------------------

function onOffer(frame) {
  removeOffer(frame.conversation);
  const item = clone("console-offer");
  item.dataset.conversation = frame.conversation;
  item.dataset.expires = String(Date.now() + Math.max(0, Number(frame.expires_in_s) || 0) * 1000);
  part(item, "name").textContent = `${frame.kind === "letter" ? words.kind_letter : words.kind_chat}: ${nameOf(frame)}`;
  part(item, "municipality").textContent = placeOf(frame);
  part(item, "topic").textContent = topicOf(frame.topic);
  const triage = part(item, "triage");
  if (frame.triage_level === "critical" || frame.triage_level === "elevated") {
    triage.textContent = words[`triage_${frame.triage_level}`];
    triage.classList.add(`console-tag-${frame.triage_level}`);
    show(triage, true);
  }
  part(item, "accept").addEventListener("click", () => {
    clearError();
    focusNext = true;
    send({ type: "accept", conversation: frame.conversation });
  });
  part(item, "decline").addEventListener("click", () => {
    clearError();
    send({ type: "decline", conversation: frame.conversation });
    removeOffer(frame.conversation);
    ui.take.focus();
  });
  ui.offersList.appendChild(item);
  show(ui.offers, true);
  tick();
  announce(fill(words.offered, { name: `${nameOf(frame)}, ${placeOf(frame)}` }));
}

function removeOffer(id) {
  for (const item of [...ui.offersList.children]) {
    if (item.dataset.conversation === id) {
      item.remove();
    }
  }
  show(ui.offers, ui.offersList.children.length > 0);
}

// --- conversations ------------------------------------------------------------------------------

function createConversation(frame) {
  const id = frame.conversation;
  const short = id.replace(/[^a-zA-Z0-9]/g, "").slice(0, 12);
  const panel = clone("console-panel");
  panel.id = `conversation-${short}`;
  // Unique ids for everything the template names with data-id / data-for / data-describedby.
  for (const element of panel.querySelectorAll("[data-id]")) {
    element.id = `c${short}-${element.dataset.id}`;
  }
  for (const element of panel.querySelectorAll("[data-for]")) {
    element.htmlFor = `c${short}-${element.dataset.for}`;
  }
  for (const element of panel.querySelectorAll("[data-describedby]")) {
    element.setAttribute("aria-describedby", `c${short}-${element.dataset.describedby}`);
  }
  for (const element of panel.querySelectorAll("[data-controls]")) {
    element.setAttribute("aria-controls", `c${short}-${element.dataset.controls}`);
  }
  const title = part(panel, "title");
  title.id = `c${short}-title`;
  part(panel, "log").setAttribute("aria-labelledby", title.id);

  const tab = clone("console-tab");
  tab.id = `c${short}-tab`;
  tab.setAttribute("aria-controls", panel.id);
  panel.setAttribute("aria-labelledby", tab.id);

  const conversation = {
    id,
    short,
    kind: frame.kind,
    state: frame.state,
    summary: frame,
    panel,
    tab,
    log: new SeqLog(),
    elements: new Map(),
    outbox: [],
    youngRead: 0,
    readSent: 0,
    typingSent: 0,
    typingTimer: null,
    unread: 0,
    synced: true,
    finished: false,
    gapRetried: 0,
    input: panel.querySelector("[data-id=input]"),
  };
  wirePanel(conversation);
  ui.tabs.appendChild(tab);
  ui.panels.appendChild(panel);
  conversations.set(id, conversation);
  return conversation;
}

function wirePanel(conversation) {
  const { panel, tab, input } = conversation;
  tab.addEventListener("click", () => select(conversation.id, false));
  tab.addEventListener("keydown", onTabKey);

  const preparedSelect = panel.querySelector("[data-id=prepared]");
  if (prepared.length === 0) {
    show(part(panel, "prepared-group"), false);
  }
  prepared.forEach((answer, index) => {
    const option = document.createElement("option");
    option.value = String(index);
    option.textContent = answer.title;
    preparedSelect.appendChild(option);
  });
  preparedSelect.addEventListener("change", () => {
    const answer = prepared[Number(preparedSelect.value)];
    if (preparedSelect.value !== "" && answer) {
      const before = input.value;
      input.value = before && !before.endsWith("\n") ? `${before}\n${answer.body}` : `${before}${answer.body}`;
      preparedSelect.value = "";
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    }
  });

  const compose = part(panel, "compose");
  compose.addEventListener("submit", (event) => {
    event.preventDefault();
    sendMessage(conversation);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendMessage(conversation);
    }
  });
  input.addEventListener("input", () => {
    const now = Date.now();
    if (conversation.state === "active" && now - conversation.typingSent >= TYPING_EVERY_MS) {
      conversation.typingSent = now;
      send({ type: "typing", conversation: conversation.id });
    }
  });

  const topic = panel.querySelector("[data-id=topic]");
  topic.addEventListener("change", () => {
    clearError();
    send({ type: "topic", conversation: conversation.id, topic: topic.value });
  });

  const endButton = part(panel, "end");
  const endConfirm = panel.querySelector("[data-id=end-confirm]");
  endButton.addEventListener("click", () => {
    const open = endConfirm.hidden;
    show(endConfirm, open);
    endButton.setAttribute("aria-expanded", open ? "true" : "false");
  });
  part(panel, "end-no").addEventListener("click", () => {
    show(endConfirm, false);
    endButton.setAttribute("aria-expanded", "false");
    endButton.focus();
  });
  part(panel, "end-yes").addEventListener("click", () => {
    show(endConfirm, false);
    endButton.setAttribute("aria-expanded", "false");
    clearError();
    send({ type: "end", conversation: conversation.id });
  });

  part(panel, "transfer").addEventListener("submit", (event) => {
    event.preventDefault();
    clearError();
    const to = Number(panel.querySelector("[data-id=colleague]").value);
    if (!to) {
      showError("error_choose_colleague");
      return;
    }
    send({ type: "transfer", conversation: conversation.id, to });
  });

  const blockForm = part(panel, "block");
  const blockConfirm = part(panel, "block-confirm");
  blockForm.addEventListener("submit", (event) => {
    event.preventDefault();
    show(blockConfirm, true);
    part(panel, "block-no").focus();
  });
  part(panel, "block-no").addEventListener("click", () => {
    show(blockConfirm, false);
    blockForm.querySelector("button[type=submit]").focus();
  });
  part(panel, "block-yes").addEventListener("click", () => {
    show(blockConfirm, false);
    clearError();
    const minutes = Number(panel.querySelector("[data-id=block-minutes]").value);
    const reason = panel.querySelector("[data-id=block-reason]").value.trim().slice(0, 200);
    send({ type: "block", conversation: conversation.id, minutes, reason });
  });

  part(panel, "level").addEventListener("submit", (event) => {
    event.preventDefault();
    clearError();
    const field = panel.querySelector("[data-id=level-reason]");
    const reason = field.value.trim().slice(0, 300);
    if (!reason) {
      showError("error_level_reason");
      field.focus();
      return;
    }
    const level = panel.querySelector("[data-id=level]").value;
    const category = panel.querySelector("[data-id=level-category]").value;
    if (send({ type: "level", conversation: conversation.id, level, reason, category })) {
      field.value = "";
    }
  });

  const noteForm = part(panel, "note-form");
  noteForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const field = panel.querySelector("[data-id=note]");
    const body = field.value.trim();
    if (!body) {
      field.focus();
      return;
    }
    clearError();
    if (send({ type: "note", conversation: conversation.id, body })) {
      field.value = "";
    }
  });

  part(panel, "close").addEventListener("click", () => removeConversation(conversation.id));
}

function describe(conversation) {
  const summary = conversation.summary;
  const name = nameOf(summary);
  const { panel, tab } = conversation;
  part(panel, "title").textContent = name;
  part(tab, "name").textContent = name;
  part(panel, "kind").textContent = conversation.kind === "letter" ? words.kind_letter : words.kind_chat;
  part(panel, "municipality").textContent = `${placeOf(summary)} · ${topicOf(summary.topic)}`;
  const triage = part(panel, "triage");
  const level = summary.triage_level || "normal";
  const risky = level === "critical" || level === "elevated";
  triage.textContent = risky ? words[`triage_${level}`] : "";
  show(triage, risky);
  panel.querySelector("[data-id=topic]").value = summary.topic || "";
  panel.querySelector("[data-id=level]").value = level;
}

function fillColleagues(conversation) {
  const select = conversation.panel.querySelector("[data-id=colleague]");
  const chosen = select.value;
  const first = select.options[0];
  const options = colleagues
    .filter((colleague) => colleague.id !== me)
    .map((colleague) => {
      const option = document.createElement("option");
      option.value = String(colleague.id);
      option.textContent = colleague.name;
      return option;
    });
  select.replaceChildren(first, ...options);
  select.value = options.some((option) => option.value === chosen) ? chosen : "";
}

function onAssigned(frame) {
  removeOffer(frame.conversation);
  let conversation = conversations.get(frame.conversation);
  const isNew = conversation === undefined;
  if (isNew) {
    conversation = createConversation(frame);
  }
  conversation.summary = { ...conversation.summary, ...frame };
  conversation.kind = frame.kind;
  conversation.synced = true;
  unconfirmed.delete(conversation.id);
  describe(conversation);
  fillColleagues(conversation);
  conversation.youngRead = Math.max(conversation.youngRead, frame.young_read_seq || 0);
  conversation.readSent = Math.max(conversation.readSent, frame.counselor_read_seq || 0);
  let missed = 0;
  for (const message of frame.history || []) {
    if (addMessage(conversation, message, true) && !isNew && message.sender === "young") {
      missed += 1; // came in while the socket was away (or by a resynchronisation)
    }
  }
  if (missed > 0 && !isShown(conversation)) {
    conversation.unread += missed;
    showUnread(conversation);
    announce(fill(words.new_message, { name: nameOf(conversation.summary) }));
  }
  renderNotes(conversation, frame.notes || []);
  setState(conversation, frame.state, true);
  refreshMarks(conversation);
  // Sent again, unchanged: what the server already stored it acknowledges without storing twice.
  for (const entry of conversation.outbox) {
    send({ type: "msg", conversation: conversation.id, client_id: entry.clientId, body: entry.body });
  }
  updateLayout();
  if (isNew) {
    announce(fill(words.new_conversation, { name: `${nameOf(frame)}, ${placeOf(frame)}` }));
    if (selected === null || focusNext) {
      select(conversation.id, focusNext);
    }
    focusNext = false;
  }
  markRead(conversation);
}

function onReleased(frame) {
  const conversation = conversations.get(frame.conversation);
  if (conversation) {
    announce(fill(words.released, { name: nameOf(conversation.summary) }));
    removeConversation(conversation.id);
  }
}

function removeConversation(id) {
  const conversation = conversations.get(id);
  if (!conversation) {
    return;
  }
  clearTimeout(conversation.typingTimer);
  conversation.tab.remove();
  conversation.panel.remove();
  conversations.delete(id);
  if (selected === id) {
    selected = null;
    const next = conversations.keys().next();
    if (!next.done) {
      select(next.value, false);
    }
  }
  updateLayout();
  if (selected !== null) {
    conversations.get(selected).tab.focus();
  } else {
    ui.take.focus();
  }
}

function updateLayout() {
  const any = conversations.size > 0;
  show(ui.none, !any);
  show(ui.tabs, any);
  for (const conversation of conversations.values()) {
    const isSelected = conversation.id === selected;
    conversation.tab.setAttribute("aria-selected", isSelected ? "true" : "false");
    conversation.tab.tabIndex = isSelected ? 0 : -1;
    conversation.panel.classList.toggle("is-selected", isSelected);
  }
}

function isShown(conversation) {
  return document.visibilityState === "visible" && (wide.matches || conversation.id === selected);
}

function select(id, focusInput) {
  if (!conversations.has(id)) {
    return;
  }
  selected = id;
  updateLayout();
  const conversation = conversations.get(id);
  markRead(conversation);
  if (focusInput) {
    if (!conversation.finished) {
      conversation.input.focus();
    } else {
      part(conversation.panel, "title").focus();
    }
  }
}

function onTabKey(event) {
  const tabs = [...ui.tabs.querySelectorAll("[role=tab]")];
  const index = tabs.indexOf(event.currentTarget);
  let next = null;
  if (event.key === "ArrowRight" || event.key === "ArrowDown") {
    next = tabs[(index + 1) % tabs.length];
  } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
    next = tabs[(index - 1 + tabs.length) % tabs.length];
  } else if (event.key === "Home") {
    next = tabs[0];
  } else if (event.key === "End") {
    next = tabs[tabs.length - 1];
  }
  if (next) {
    event.preventDefault();
    const conversation = [...conversations.values()].find((item) => item.tab === next);
    if (conversation) {
      select(conversation.id, false);
      next.focus();
    }
  }
}

// --- messages -----------------------------------------------------------------------------------

function messageElement(sender) {
  const item = clone("console-message");
  item.classList.add(`console-msg--${sender}`);
  item.querySelector(".console-msg-who").textContent =
    sender === "young" ? words.young : sender === "counselor" ? words.counselor : words.system;
  return item;
}

function placeBySeq(log, item, seq) {
  item.dataset.seq = String(seq);
  for (const other of log.children) {
    if (other !== item && (other.dataset.seq ? Number(other.dataset.seq) : Infinity) > seq) {
      log.insertBefore(item, other);
      return;
    }
  }
  log.appendChild(item);
}

function setStatus(item, key) {
  const status = item.querySelector(".console-msg-status");
  if (status) {
    status.dataset.status = key;
    status.textContent = words[key] || "";
  }
}

function refreshMarks(conversation) {
  for (const [seq, item] of conversation.elements) {
    if (item.classList.contains("console-msg--counselor")) {
      setStatus(item, seq <= conversation.youngRead ? "read" : "delivered");
    }
  }
}

/** Returns whether the message was new. */
function addMessage(conversation, frame, fromHistory) {
  const seq = Number(frame.seq);
  if (!Number.isInteger(seq) || seq < 1 || conversation.log.has(seq)) {
    return false;
  }
  if (!fromHistory && conversation.log.gapBefore(seq)) {
    if (conversation.gapRetried !== seq) {
      // Missed something: a fresh socket brings `assigned` with the whole history again.
      conversation.gapRetried = seq;
      socket.reconnectNow();
      return false;
    }
    conversation.log.contiguous = seq - 1;
  }
  if (fromHistory && conversation.log.gapBefore(seq)) {
    conversation.log.contiguous = Math.max(conversation.log.contiguous, seq - 1);
  }
  conversation.log.add(seq);
  const log = part(conversation.panel, "log");
  let item = frame.sender === "counselor" ? claimFromOutbox(conversation.outbox, frame.client_id) : null;
  if (item === null) {
    item = messageElement(frame.sender);
    item.querySelector(".console-msg-body").textContent = String(frame.body || "");
  }
  stampTime(item.querySelector(".console-msg-time"), frame.at);
  conversation.elements.set(seq, item);
  placeBySeq(log, item, seq);
  log.scrollTop = log.scrollHeight;
  if (frame.sender === "counselor") {
    setStatus(item, seq <= conversation.youngRead ? "read" : "delivered");
  } else {
    const status = item.querySelector(".console-msg-status");
    if (status) {
      status.remove();
    }
  }
  return true;
}

function conversationForMessage(frame) {
  if (frame.conversation) {
    return conversations.get(frame.conversation) || null;
  }
  // A msg frame without `conversation` (see the front-end notes): find it by our own client_id,
  // or by being the only live conversation; otherwise resynchronise from `assigned`.
  if (frame.sender === "counselor" && frame.client_id) {
    for (const conversation of conversations.values()) {
      if (conversation.outbox.some((entry) => entry.clientId === frame.client_id)) {
        return conversation;
      }
    }
  }
  const live = [...conversations.values()].filter((conversation) => !conversation.finished);
  if (live.length === 1) {
    return live[0];
  }
  if (live.length > 1) {
    socket.reconnectNow();
  }
  return null;
}

function onMessage(frame) {
  const conversation = conversationForMessage(frame);
  if (!conversation) {
    return;
  }
  if (!addMessage(conversation, frame, false)) {
    return;
  }
  if (frame.sender === "young") {
    clearTimeout(conversation.typingTimer);
    show(part(conversation.panel, "typing"), false);
    if (isShown(conversation)) {
      markRead(conversation);
    } else {
      conversation.unread += 1;
      showUnread(conversation);
      announce(fill(words.new_message, { name: nameOf(conversation.summary) }));
    }
  }
}

function showUnread(conversation) {
  const badge = part(conversation.tab, "unread");
  badge.textContent = conversation.unread > 0 ? fill(words.unread, { n: conversation.unread }) : "";
  show(badge, conversation.unread > 0);
}

function markRead(conversation) {
  if (!isShown(conversation)) {
    return;
  }
  conversation.unread = 0;
  showUnread(conversation);
  const seq = conversation.log.contiguous;
  if (seq > conversation.readSent && !conversation.finished) {
    conversation.readSent = seq;
    send({ type: "read", conversation: conversation.id, seq });
  }
}

function onAck(frame) {
  const conversation = conversations.get(frame.conversation);
  if (!conversation) {
    return;
  }
  const index = conversation.outbox.findIndex((entry) => entry.clientId === frame.client_id);
  if (index < 0) {
    return;
  }
  const entry = conversation.outbox[index];
  conversation.outbox.splice(index, 1);
  const seq = Number(frame.seq);
  conversation.log.add(seq);
  conversation.elements.set(seq, entry.element);
  placeBySeq(part(conversation.panel, "log"), entry.element, seq);
  setStatus(entry.element, seq <= conversation.youngRead ? "read" : "delivered");
}

function sendMessage(conversation) {
  clearError();
  const input = conversation.input;
  const body = input.value;
  if (!body.trim()) {
    showError("error_empty");
    input.focus();
    return;
  }
  if (body.length > MAX_BODY) {
    showError("error_too_long");
    return;
  }
  if (conversation.finished) {
    showError("error_ended");
    return;
  }
  const item = messageElement("counselor");
  item.querySelector(".console-msg-body").textContent = body;
  item.querySelector(".console-msg-time").textContent = clock(null);
  setStatus(item, "sending");
  const log = part(conversation.panel, "log");
  log.appendChild(item);
  log.scrollTop = log.scrollHeight;
  const entry = { clientId: newClientId(), body, element: item };
  conversation.outbox.push(entry);
  input.value = "";
  if (connected && conversation.synced) {
    send({ type: "msg", conversation: conversation.id, client_id: entry.clientId, body });
  }
}

function onState(frame) {
  const conversation = conversations.get(frame.conversation);
  if (conversation) {
    setState(conversation, frame.state, false);
  }
}

function setState(conversation, state, initial) {
  const before = conversation.state;
  conversation.state = state;
  const { panel } = conversation;
  const stateTag = part(panel, "state");
  stateTag.textContent = words[`state_${state}`] || state;
  stateTag.dataset.state = state;
  const finished = state === "ended" || state === "abandoned";
  conversation.finished = finished;
  show(part(panel, "compose"), !finished);
  // The topic can still be set after the end; the rest is for live conversations.
  show(part(panel, "end-group"), !finished);
  show(part(panel, "transfer-group"), !finished);
  show(part(panel, "block-group"), !finished);
  show(part(panel, "ended"), finished);
  show(part(panel, "close-group"), finished);
  if (finished) {
    clearTimeout(conversation.typingTimer);
    show(part(panel, "typing"), false);
    for (const entry of conversation.outbox) {
      setStatus(entry.element, "not_sent");
    }
    conversation.outbox = [];
    if (!initial && before !== state) {
      announce(fill(words.conversation_ended, { name: nameOf(conversation.summary) }));
    }
  }
}

function onTyping(frame) {
  const conversation = conversations.get(frame.conversation);
  if (!conversation || frame.side !== "young") {
    return;
  }
  const typing = part(conversation.panel, "typing");
  show(typing, true);
  clearTimeout(conversation.typingTimer);
  conversation.typingTimer = setTimeout(() => show(typing, false), TYPING_SHOWN_MS);
}

function onRead(frame) {
  const conversation = conversations.get(frame.conversation);
  if (!conversation || frame.side !== "young") {
    return;
  }
  conversation.youngRead = Math.max(conversation.youngRead, frame.seq || 0);
  refreshMarks(conversation);
}

// --- notes and topic ----------------------------------------------------------------------------

function noteElement(note) {
  const item = clone("console-note");
  part(item, "author").textContent = note.author || "";
  const time = part(item, "time");
  time.textContent = clock(note.at);
  if (note.at) {
    time.dateTime = note.at;
  }
  part(item, "body").textContent = String(note.body || "");
  return item;
}

function renderNotes(conversation, notes) {
  const list = part(conversation.panel, "notes");
  list.replaceChildren(...notes.map(noteElement));
  part(conversation.panel, "notes-count").textContent = String(notes.length);
}

function onNote(frame) {
  const conversation = conversations.get(frame.conversation);
  if (!conversation) {
    return;
  }
  const list = part(conversation.panel, "notes");
  list.appendChild(noteElement(frame));
  part(conversation.panel, "notes-count").textContent = String(list.children.length);
  announce(words.note_saved);
}

function onTopic(frame) {
  const conversation = conversations.get(frame.conversation);
  if (!conversation) {
    return;
  }
  conversation.summary.topic = frame.topic;
  describe(conversation);
  announce(words.topic_saved);
}

// A level set by hand (here, by a colleague or from the floor) replaces the one shown.
function onLevel(frame) {
  const conversation = conversations.get(frame.conversation);
  if (!conversation) {
    return;
  }
  conversation.summary.triage_level = frame.level;
  describe(conversation);
  announce(words.level_saved);
}

const LEVEL_RANK = { normal: 0, elevated: 1, critical: 2 };

// A new message can only raise the conversation's level (the server keeps the highest).
function onTriage(frame) {
  const conversation = conversations.get(frame.conversation);
  if (!conversation || LEVEL_RANK[frame.level] <= LEVEL_RANK[conversation.summary.triage_level || "normal"]) {
    return;
  }
  conversation.summary.triage_level = frame.level;
  describe(conversation);
}

function onError(frame) {
  const known = [
    "none_waiting",
    "capacity",
    "off_shift",
    "not_yours",
    "not_found",
    "ended",
    "bad_colleague",
    "too_long",
    "empty",
    "forbidden",
    "offer_gone",
    "same_level",
    "bad_category",
  ];
  if (frame.code === "rate_limited" || frame.code === "flood") {
    showError("error_rate_limited");
    setTimeout(() => {
      for (const conversation of conversations.values()) {
        for (const entry of conversation.outbox) {
          send({ type: "msg", conversation: conversation.id, client_id: entry.clientId, body: entry.body });
        }
      }
    }, 1500);
    return;
  }
  focusNext = false;
  showError(known.includes(frame.code) ? `error_${frame.code}` : "error_other");
}

// --- wiring -------------------------------------------------------------------------------------

function init() {
  if (!byId("console")) {
    return;
  }
  ui.shift.addEventListener("click", () => {
    clearError();
    send({ type: "shift", on: !onShift });
  });
  ui.take.addEventListener("click", () => {
    clearError();
    focusNext = true;
    send({ type: "take" });
  });
  document.addEventListener("visibilitychange", () => {
    for (const conversation of conversations.values()) {
      markRead(conversation);
    }
  });
  wide.addEventListener("change", () => {
    for (const conversation of conversations.values()) {
      markRead(conversation);
    }
  });
  setInterval(tick, 1000);
  renderQueue();
  socket.start();
}

init();
