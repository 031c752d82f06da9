/*
 * The supervisor's floor (/console/floor/). See docs/protocol.md, "/ws/console/".
 *
 * The console socket pushes `floor {waiting, counselors, live, long_wait_s}` on connect and on
 * every queue change; this page draws it, counts waits up locally between frames, reads one live
 * conversation at a time (`watch` → `watched`, then its `msg` frames), reassigns with `transfer`
 * and raises `alert` frames as an assertive banner with a short Web Audio tone.
 * It never sends `shift`. Every word comes from the page's templates; every text the server sends
 * is set with textContent only. Lists are updated in place (keyed by id), so a half-made choice
 * or the keyboard focus survives the next frame.
 */
import { SeqLog, Socket, clock, fill, readWords } from "./socket.js";

const REFRESH_MS = 30000; // transfers, ends and lost consoles are not all pushed: ask now and then
const SOON_MS = 300;
const LEVELS = new Set(["normal", "elevated", "critical"]);
const ENDED = new Set(["ended", "abandoned"]);

const byId = (id) => document.getElementById(id);
const words = readWords("floor-words");
const root = byId("floor");
const pageIsDanish = (document.documentElement.lang || "da").toLowerCase().startsWith("da");

const ui = {
  connection: byId("floor-connection"),
  updated: byId("floor-updated"),
  sound: byId("floor-sound"),
  alert: byId("floor-alert"),
  alertHeading: byId("floor-alert-heading"),
  alertWhere: byId("floor-alert-where"),
  alertReasons: byId("floor-alert-reasons"),
  alertRead: byId("floor-alert-read"),
  alertHide: byId("floor-alert-hide"),
  notice: byId("floor-notice"),
  noticeText: byId("floor-notice-text"),
  waitingCount: byId("floor-waiting-count"),
  waitingSummary: byId("floor-waiting-summary"),
  longRule: byId("floor-long-rule"),
  waitingEmpty: byId("floor-waiting-empty"),
  waitingGroups: byId("floor-waiting-groups"),
  counselorsCount: byId("floor-counselors-count"),
  counselorsSummary: byId("floor-counselors-summary"),
  counselorsEmpty: byId("floor-counselors-empty"),
  counselorsList: byId("floor-counselors-list"),
  liveCount: byId("floor-live-count"),
  liveSummary: byId("floor-live-summary"),
  liveEmpty: byId("floor-live-empty"),
  liveList: byId("floor-live-list"),
  readerHeading: byId("floor-reader-heading"),
  readerEmpty: byId("floor-reader-empty"),
  readerBody: byId("floor-reader-body"),
  readerLevel: byId("floor-reader-level"),
  readerName: byId("floor-reader-name"),
  readerMeta: byId("floor-reader-meta"),
  readerLog: byId("floor-reader-log"),
  readerNothing: byId("floor-reader-nothing"),
  readerEnded: byId("floor-reader-ended"),
  readerNotesBox: byId("floor-reader-notes-box"),
  readerNotes: byId("floor-reader-notes"),
  readerAnnouncer: byId("floor-reader-announcer"),
  readerStop: byId("floor-reader-stop"),
  alertsHeading: byId("floor-alerts-heading"),
  alertsCount: byId("floor-alerts-count"),
  alertsEmpty: byId("floor-alerts-empty"),
  alertsList: byId("floor-alerts-list"),
};

const state = {
  waiting: [],
  counselors: [],
  live: [],
  longWaitS: Number(root.dataset.longWaitS) || 300,
  receivedAt: 0, // performance.now() when the last floor frame came
  serverOffsetMs: 0, // server clock minus this clock, estimated from the waiting list
  held: new Set(), // conversations this supervisor holds as a counselor (their msg frames also come)
  subscribed: new Set(), // conversations this socket has asked to watch since it opened
  reading: null, // {id, log, summary, announced}
  banner: null, // the alert the banner shows
  alerts: 0,
  pendingMove: null, // {conversation, to}
  switching: false, // the socket is being replaced on purpose
};

// --- small helpers ------------------------------------------------------------------------------

function show(element, visible) {
  if (element) {
    element.hidden = !visible;
  }
}

function setText(element, text) {
  if (element && element.textContent !== text) {
    element.textContent = text;
  }
}

function clone(templateId) {
  return byId(templateId).content.firstElementChild.cloneNode(true);
}

function part(node, name) {
  return node.querySelector(`[data-part="${name}"]`);
}

function nameOf(summary) {
  return (summary && summary.nickname) || words.anonymous;
}

function placeOf(summary) {
  return (summary && summary.municipality) || words.no_municipality;
}

function topicOf(value) {
  return value ? words[`topic_${value}`] || value : words.no_topic;
}

function levelOf(value) {
  return LEVELS.has(value) ? value : "normal";
}

/** Puts the level's badge (icon and text, never colour alone) into `slot`, once per change. */
function setLevel(slot, value) {
  const level = levelOf(value);
  if (slot.dataset.level !== level) {
    slot.replaceChildren(clone(`floor-level-${level}`));
    slot.dataset.level = level;
  }
}

/** Triage reasons are written in Danish by the server; say so to a screen reader elsewhere. */
function markDanish(element) {
  if (!pageIsDanish) {
    element.lang = "da";
  }
}

function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) {
    return "–";
  }
  const total = Math.max(0, Math.floor(seconds));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, "0");
  if (days > 0) {
    return fill(words.days, { d: days, h: hours });
  }
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

function serverNowMs() {
  return Date.now() + state.serverOffsetMs;
}

/**
 * Makes `list`'s children match `items` in order, reusing the node of each key: only nodes out of
 * place move, so focus and a half-made choice inside an unmoved item survive.
 */
function reconcile(list, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of list.children) {
    existing.set(child.dataset.key, child);
  }
  items.forEach((item, index) => {
    const key = String(keyOf(item));
    let node = existing.get(key);
    if (node) {
      existing.delete(key);
    } else {
      node = create(item, key);
      node.dataset.key = key;
    }
    update(node, item);
    const there = list.children[index];
    if (there !== node) {
      list.insertBefore(node, there || null);
    }
  });
  for (const node of existing.values()) {
    node.remove();
  }
}

let noticeTimer = null;
function notice(text, kind) {
  clearTimeout(noticeTimer);
  ui.notice.classList.toggle("alert-success", kind === "success");
  ui.notice.classList.toggle("alert-warning", kind !== "success");
  ui.noticeText.textContent = text;
  show(ui.notice, true);
  noticeTimer = setTimeout(() => show(ui.notice, false), 15000);
}

let announceTimer = null;
function announceReader(text) {
  ui.readerAnnouncer.textContent = "";
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    ui.readerAnnouncer.textContent = text;
  }, 50);
}

// --- the socket ---------------------------------------------------------------------------------

const socket = new Socket("/ws/floor/", {
  onOpen: () => {
    state.switching = false;
    state.subscribed = new Set();
    state.held = new Set();
    root.classList.remove("floor--offline");
    setText(ui.connection, words.connected);
    if (state.reading) {
      sendWatch();
    }
  },
  onFrame: onFrame,
  onDown: () => {
    if (state.switching) {
      setText(ui.connection, words.connecting); // on purpose, to read another conversation
      return;
    }
    root.classList.add("floor--offline");
    setText(ui.connection, words.reconnecting);
  },
  onFinal: () => {
    root.classList.add("floor--offline");
    setText(ui.connection, words.signed_out);
    setText(ui.updated, "");
  },
});

let floorTimer = null;
function askForFloorSoon() {
  clearTimeout(floorTimer);
  floorTimer = setTimeout(() => socket.send({ type: "floor" }), SOON_MS);
}

function onFrame(frame) {
  switch (frame.type) {
    case "floor":
      onFloor(frame);
      break;
    case "watched":
      onWatched(frame);
      break;
    case "msg":
      onMessage(frame);
      break;
    case "state":
      onState(frame);
      break;
    case "note":
      onNote(frame);
      break;
    case "alert":
      onAlert(frame);
      break;
    case "assigned":
      state.held.add(frame.conversation);
      break;
    case "released":
      state.held.delete(frame.conversation);
      break;
    case "error":
      onError(frame);
      break;
    default:
      break; // shift, queue, ack, typing, read …: the console's, not the floor's
  }
}

// --- the floor ----------------------------------------------------------------------------------

function onFloor(frame) {
  state.waiting = Array.isArray(frame.waiting) ? frame.waiting : [];
  state.counselors = Array.isArray(frame.counselors) ? frame.counselors : [];
  state.live = Array.isArray(frame.live) ? frame.live : [];
  if (Number(frame.long_wait_s) > 0) {
    state.longWaitS = Number(frame.long_wait_s);
  }
  state.receivedAt = performance.now();
  estimateServerClock();
  setText(ui.updated, fill(words.updated, { time: clock() }));
  const minutes = new Intl.NumberFormat(document.documentElement.lang || "da", { maximumFractionDigits: 1 });
  setText(ui.longRule, fill(words.long_rule, { minutes: minutes.format(state.longWaitS / 60) }));

  renderWaiting();
  renderCounselors();
  renderLive();
  renderBanner();
  renderReaderMeta();
  confirmMove();
  tick();
}

function estimateServerClock() {
  const sample = state.waiting.find((item) => item.queued_at && typeof item.waiting_s === "number");
  if (!sample) {
    return;
  }
  const queued = Date.parse(sample.queued_at);
  if (!Number.isNaN(queued)) {
    state.serverOffsetMs = queued + sample.waiting_s * 1000 - Date.now();
  }
}

function renderWaiting() {
  const groups = [];
  const byKey = new Map();
  let position = 0;
  for (const item of state.waiting) {
    const key = item.municipality_code || "none";
    let group = byKey.get(key);
    if (!group) {
      group = { key, name: placeOf(item), items: [] };
      byKey.set(key, group);
      groups.push(group); // in order of the group's first place in the queue
    }
    group.items.push({ ...item, position: item.kind === "letter" ? null : ++position });
  }
  reconcile(ui.waitingGroups, groups, (group) => group.key, createGroup, updateGroup);
  setText(ui.waitingCount, String(state.waiting.length));
  show(ui.waitingEmpty, state.waiting.length === 0);
}

function createGroup(group, key) {
  const node = clone("floor-group");
  const heading = part(node, "heading");
  heading.id = `floor-group-${key}`;
  part(node, "items").setAttribute("aria-labelledby", heading.id);
  return node;
}

function updateGroup(node, group) {
  setText(part(node, "name"), group.name);
  setText(part(node, "count"), fill(words.n_waiting, { n: group.items.length }));
  reconcile(part(node, "items"), group.items, (item) => item.conversation, () => clone("floor-waiting-item"), updateWaitingItem);
}

function updateWaitingItem(node, item) {
  setLevel(part(node, "level"), item.triage_level);
  node.classList.toggle("floor-item--critical", item.triage_level === "critical");
  setText(part(node, "name"), nameOf(item));
  show(part(node, "letter"), item.kind === "letter");
  setText(part(node, "topic"), topicOf(item.topic));
  setText(part(node, "position"), item.position ? ` · ${fill(words.position, { n: item.position })}` : "");
  node.dataset.waited = String(Number(item.waiting_s) || 0);
  node.dataset.long = item.long ? "1" : "";
}

function renderCounselors() {
  reconcile(ui.counselorsList, state.counselors, (person) => person.id, () => clone("floor-counselor-item"), updateCounselor);
  const count = state.counselors.length;
  const connected = state.counselors.filter((person) => person.connected).length;
  const load = state.counselors.reduce((sum, person) => sum + (Number(person.load) || 0), 0);
  const capacity = state.counselors.reduce((sum, person) => sum + (Number(person.capacity) || 0), 0);
  setText(ui.counselorsCount, String(count));
  setText(ui.counselorsSummary, count ? fill(words.counselors_summary, { n: count, connected, load, capacity }) : "");
  show(ui.counselorsEmpty, count === 0);
}

function updateCounselor(node, person) {
  setText(part(node, "name"), person.name || "");
  setText(part(node, "organisation"), person.organisation || "");
  show(part(node, "organisation"), Boolean(person.organisation));
  setText(part(node, "load"), fill(words.load, { load: person.load, capacity: person.capacity }));
  show(part(node, "full"), Number(person.load) >= Number(person.capacity));
  show(part(node, "connected"), Boolean(person.connected));
  show(part(node, "away"), !person.connected);
  node.classList.toggle("floor-item--away", !person.connected);
}

function renderLive() {
  reconcile(ui.liveList, state.live, (item) => item.conversation, createLiveItem, updateLiveItem);
  setText(ui.liveCount, String(state.live.length));
  setText(ui.liveSummary, fill(words.live_summary, { n: state.live.length }));
  show(ui.liveEmpty, state.live.length === 0);
}

function createLiveItem(item, key) {
  const node = clone("floor-live-item");
  const select = node.querySelector('[data-id="move"]');
  select.id = `floor-move-${key}`;
  node.querySelector('[data-for="move"]').htmlFor = select.id;
  part(node, "read").addEventListener("click", () => startReading(key));
  part(node, "move").addEventListener("submit", (event) => {
    event.preventDefault();
    move(key, select);
  });
  return node;
}

function updateLiveItem(node, item) {
  setLevel(part(node, "level"), item.triage_level);
  node.classList.toggle("floor-item--critical", item.triage_level === "critical");
  node.classList.toggle("floor-item--reading", Boolean(state.reading && state.reading.id === item.conversation));
  setText(part(node, "name"), nameOf(item));
  show(part(node, "letter"), item.kind === "letter");
  setText(part(node, "municipality"), placeOf(item));
  setText(part(node, "topic"), topicOf(item.topic));
  setText(part(node, "counselor"), item.counselor || words.nobody);
  const since = part(node, "since");
  if (item.assigned_at) {
    since.dateTime = item.assigned_at;
  }
  setText(since, clock(item.assigned_at));
  node.dataset.since = item.assigned_at || "";
  const who = ` ${fill(words.conversation_with, { name: nameOf(item) })}`;
  setText(part(node, "read-who"), who);
  setText(part(node, "move-who"), who);
  fillColleagues(node.querySelector('[data-id="move"]'), item);
}

/** The counselors on shift a live conversation can go to: everyone but the one who has it. */
function fillColleagues(select, item) {
  const choices = state.counselors.filter((person) => person.id !== item.counselor_id);
  const texts = choices.map((person) =>
    fill(words.option, {
      name: person.name,
      organisation: person.organisation || "–",
      load: person.load,
      capacity: person.capacity,
    }),
  );
  const signature = JSON.stringify(choices.map((person, index) => [person.id, texts[index]]));
  if (select.dataset.signature === signature) {
    return;
  }
  select.dataset.signature = signature;
  const chosen = select.value;
  const placeholder = select.options[0];
  select.replaceChildren(placeholder);
  choices.forEach((person, index) => {
    const option = document.createElement("option");
    option.value = String(person.id);
    option.textContent = texts[index];
    select.append(option);
  });
  select.value = choices.some((person) => String(person.id) === chosen) ? chosen : "";
}

function move(conversation, select) {
  if (!select.value) {
    notice(words.choose_counselor, "warning");
    select.focus();
    return;
  }
  const to = Number(select.value);
  state.pendingMove = { conversation, to };
  if (socket.send({ type: "transfer", conversation, to })) {
    // Frames are handled in order: this floor comes after the transfer is done (or refused).
    socket.send({ type: "floor" });
  } else {
    state.pendingMove = null;
    notice(words.reconnecting, "warning");
  }
}

function confirmMove() {
  const pending = state.pendingMove;
  if (!pending) {
    return;
  }
  const item = state.live.find((live) => live.conversation === pending.conversation);
  if (item && item.counselor_id === pending.to) {
    state.pendingMove = null;
    notice(fill(words.moved, { name: nameOf(item), counselor: item.counselor || "" }), "success");
  }
}

/** Counts waits and live durations up between frames; marks a wait that has become long. */
function tick() {
  const elapsed = state.receivedAt ? (performance.now() - state.receivedAt) / 1000 : 0;
  const counts = { critical: 0, elevated: 0, normal: 0, long: 0 };
  for (const item of ui.waitingGroups.querySelectorAll(".floor-item")) {
    const waited = Number(item.dataset.waited) + elapsed;
    const long = item.dataset.long === "1" || waited >= state.longWaitS;
    setText(part(item, "waited"), duration(waited));
    show(part(item, "long"), long);
    item.classList.toggle("floor-item--long", long);
    counts[levelOf(part(item, "level").dataset.level)] += 1;
    counts.long += long ? 1 : 0;
  }
  const now = serverNowMs();
  for (const item of ui.liveList.children) {
    const since = Date.parse(item.dataset.since);
    setText(part(item, "duration"), Number.isNaN(since) ? "–" : duration((now - since) / 1000));
  }
  if (state.receivedAt) {
    setText(ui.waitingSummary, fill(words.waiting_summary, { n: state.waiting.length, ...counts }));
  }
}

// --- reading a live conversation ------------------------------------------------------------------

function summaryOf(conversation) {
  return (
    state.live.find((item) => item.conversation === conversation) ||
    state.waiting.find((item) => item.conversation === conversation) ||
    null
  );
}

function startReading(conversation) {
  const again = state.reading && state.reading.id === conversation;
  if (!again) {
    state.reading = { id: conversation, log: new SeqLog(), summary: summaryOf(conversation), announced: false };
    ui.readerLog.replaceChildren();
    ui.readerNotes.replaceChildren();
    show(ui.readerNotesBox, false);
    show(ui.readerEnded, false);
    show(ui.readerNothing, false);
  }
  show(ui.readerEmpty, false);
  show(ui.readerBody, true);
  renderReaderMeta();
  renderLive();
  const others = [...state.subscribed].some((id) => id !== conversation);
  if (others) {
    // The server keeps sending a watched conversation's frames to this socket, and `msg` frames
    // do not all say which conversation they belong to: a fresh socket hears only this one.
    state.switching = true;
    socket.reconnectNow();
  } else {
    sendWatch();
  }
  ui.readerHeading.focus();
}

function stopReading() {
  state.reading = null;
  ui.readerLog.replaceChildren();
  ui.readerNotes.replaceChildren();
  show(ui.readerBody, false);
  show(ui.readerEmpty, true);
  renderLive();
  ui.readerHeading.focus();
}

function sendWatch() {
  const reading = state.reading;
  if (reading && socket.send({ type: "watch", conversation: reading.id })) {
    state.subscribed.add(reading.id);
  }
}

let rewatchTimer = null;
function rewatchSoon() {
  clearTimeout(rewatchTimer);
  rewatchTimer = setTimeout(sendWatch, 1000);
}

function renderReaderMeta() {
  const reading = state.reading;
  if (!reading) {
    return;
  }
  const fresh = summaryOf(reading.id);
  if (fresh) {
    reading.summary = { ...reading.summary, ...fresh };
  }
  const summary = reading.summary || {};
  setLevel(ui.readerLevel, summary.triage_level);
  setText(ui.readerName, nameOf(summary));
  setText(
    ui.readerMeta,
    fill(words.reader_meta, {
      municipality: placeOf(summary),
      topic: topicOf(summary.topic),
      counselor: summary.counselor || words.nobody,
    }),
  );
}

function onWatched(frame) {
  const reading = state.reading;
  if (!reading || frame.conversation !== reading.id) {
    return;
  }
  reading.summary = { ...reading.summary, ...frame };
  reading.log = new SeqLog();
  ui.readerLog.replaceChildren();
  for (const message of Array.isArray(frame.history) ? frame.history : []) {
    addMessage(message, false);
  }
  ui.readerNotes.replaceChildren();
  for (const note of Array.isArray(frame.notes) ? frame.notes : []) {
    addNote(note);
  }
  show(ui.readerNotesBox, ui.readerNotes.children.length > 0);
  show(ui.readerNothing, ui.readerLog.children.length === 0);
  show(ui.readerEnded, ENDED.has(frame.state));
  renderReaderMeta();
  if (!reading.announced) {
    reading.announced = true;
    announceReader(fill(words.reading, { name: nameOf(reading.summary) }));
  }
}

function onMessage(frame) {
  const reading = state.reading;
  if (!reading || typeof frame.seq !== "number") {
    return;
  }
  let conversation = frame.conversation;
  if (!conversation) {
    // Without a conversation id the frame is ours only if this socket hears nothing else.
    if (state.held.size > 0 || state.subscribed.size !== 1) {
      rewatchSoon();
      return;
    }
    conversation = [...state.subscribed][0];
  }
  if (conversation !== reading.id) {
    return;
  }
  if (reading.log.gapBefore(frame.seq)) {
    rewatchSoon(); // something was missed: `watched` brings the whole history again
  }
  if (addMessage(frame, true) && frame.sender !== "system") {
    announceReader(frame.sender === "counselor" ? words.new_from_counselor : words.new_from_young);
  }
}

function addMessage(message, live) {
  const reading = state.reading;
  if (!reading.log.add(message.seq)) {
    return false;
  }
  const node = clone("floor-message");
  node.dataset.seq = String(message.seq);
  node.classList.add(`floor-msg--${message.sender === "counselor" || message.sender === "system" ? message.sender : "young"}`);
  setText(part(node, "who"), words[message.sender] || words.young);
  const time = part(node, "time");
  if (message.at) {
    time.dateTime = message.at;
  }
  setText(time, clock(message.at));
  setText(part(node, "body"), String(message.body || ""));
  const triage = message.triage;
  if (triage && levelOf(triage.level) !== "normal") {
    setLevel(part(node, "level"), triage.level);
    const reasons = part(node, "reasons");
    if (Array.isArray(triage.reasons) && triage.reasons.length) {
      reasons.textContent = triage.reasons.join("; ");
      markDanish(reasons);
      show(reasons, true);
    }
  }
  // In seq order, whatever order the frames came in.
  let after = null;
  for (const existing of ui.readerLog.children) {
    if (Number(existing.dataset.seq) > message.seq) {
      after = existing;
      break;
    }
  }
  ui.readerLog.insertBefore(node, after);
  show(ui.readerNothing, false);
  if (live) {
    ui.readerLog.scrollTop = ui.readerLog.scrollHeight;
  }
  return true;
}

function addNote(note) {
  const node = clone("floor-note");
  setText(part(node, "author"), note.author || "");
  const time = part(node, "time");
  if (note.at) {
    time.dateTime = note.at;
  }
  setText(time, clock(note.at));
  setText(part(node, "body"), String(note.body || ""));
  ui.readerNotes.append(node);
}

function onNote(frame) {
  if (state.reading && frame.conversation === state.reading.id) {
    addNote(frame);
    show(ui.readerNotesBox, true);
  }
}

function onState(frame) {
  if (state.reading && frame.conversation === state.reading.id) {
    show(ui.readerEnded, ENDED.has(frame.state));
    if (state.reading.summary) {
      state.reading.summary.state = frame.state;
    }
  }
  askForFloorSoon(); // an end or a hand-over changes the live list; not every one is pushed
}

// --- critical alerts ----------------------------------------------------------------------------

function onAlert(frame) {
  if (levelOf(frame.level) !== "critical") {
    return;
  }
  const alert = { ...frame, time: clock() };
  state.banner = alert;
  state.alerts += 1;
  renderBanner();
  show(ui.alert, true);
  addAlertItem(alert);
  beep();
  askForFloorSoon();
}

function alertWhere(alert) {
  const summary = summaryOf(alert.conversation);
  const name = nameOf(summary);
  const live = state.live.find((item) => item.conversation === alert.conversation);
  const status = live ? "active" : summary ? "waiting" : alert.state;
  if (status === "waiting") {
    return fill(words.alert_waiting, { time: alert.time, name });
  }
  if (status === "active") {
    const holder = state.counselors.find((person) => person.id === alert.counselor_id);
    const counselor = (live && live.counselor) || (holder && holder.name) || words.counselor;
    return fill(words.alert_active, { time: alert.time, name, counselor });
  }
  return fill(words.alert_other, { time: alert.time, name });
}

function renderBanner() {
  const alert = state.banner;
  if (!alert) {
    return;
  }
  setText(ui.alertHeading, fill(words.alert_heading, { municipality: alert.municipality || words.no_municipality }));
  setText(ui.alertWhere, alertWhere(alert));
  const reasons = Array.isArray(alert.reasons) ? alert.reasons : [];
  const shown = [...ui.alertReasons.children].map((item) => item.textContent);
  if (JSON.stringify(shown) !== JSON.stringify(reasons)) {
    ui.alertReasons.replaceChildren(
      ...reasons.map((reason) => {
        const item = document.createElement("li");
        item.textContent = String(reason);
        markDanish(item);
        return item;
      }),
    );
  }
  show(ui.alertRead, state.live.some((item) => item.conversation === alert.conversation));
}

function addAlertItem(alert) {
  const node = clone("floor-alert-item");
  setLevel(part(node, "level"), "critical");
  setText(part(node, "time"), alert.time);
  setText(part(node, "municipality"), alert.municipality || words.no_municipality);
  setText(part(node, "where"), alertWhere(alert));
  const reasons = part(node, "reasons");
  reasons.textContent = (Array.isArray(alert.reasons) ? alert.reasons : []).join("; ");
  markDanish(reasons);
  ui.alertsList.prepend(node);
  setText(ui.alertsCount, String(state.alerts));
  show(ui.alertsEmpty, false);
}

ui.alertHide.addEventListener("click", () => {
  show(ui.alert, false);
  ui.alertsHeading.focus();
});

ui.alertRead.addEventListener("click", () => {
  if (state.banner) {
    startReading(state.banner.conversation);
  }
});

ui.readerStop.addEventListener("click", stopReading);

// --- the tone -----------------------------------------------------------------------------------
// Made here with an OscillatorNode: no audio file, nothing from another origin. Browsers let a
// page play sound only after the person has interacted with it; until then the tone is skipped
// without a word, and the banner carries the alert.

let soundOn = ui.sound.getAttribute("aria-pressed") === "true";
let audio = null;

function audioContext() {
  if (audio) {
    return audio;
  }
  const Context = window.AudioContext || window.webkitAudioContext;
  const activated = !navigator.userActivation || navigator.userActivation.hasBeenActive;
  if (!Context || !activated) {
    return null;
  }
  try {
    audio = new Context();
  } catch (error) {
    audio = null;
  }
  return audio;
}

function unlockAudio() {
  const context = soundOn ? audioContext() : null;
  if (context && context.state === "suspended") {
    context.resume().catch(() => {});
  }
}

function tone(context, start, frequency) {
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  oscillator.type = "sine";
  oscillator.frequency.setValueAtTime(frequency, start);
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.22);
  oscillator.connect(gain);
  gain.connect(context.destination);
  oscillator.start(start);
  oscillator.stop(start + 0.25);
}

function beep(times = 2) {
  if (!soundOn) {
    return;
  }
  const context = audioContext();
  if (!context) {
    return;
  }
  try {
    if (context.state === "suspended") {
      context.resume().catch(() => {});
    }
    const now = context.currentTime + 0.01;
    for (let index = 0; index < times; index += 1) {
      tone(context, now + index * 0.3, index % 2 ? 660 : 880);
    }
  } catch (error) {
    // No sound device, or the browser said no: the banner is the alert.
  }
}

ui.sound.addEventListener("click", () => {
  soundOn = !soundOn;
  ui.sound.setAttribute("aria-pressed", String(soundOn));
  if (soundOn) {
    beep(1); // the click is the interaction that lets it play: a sample of the tone
  }
});

document.addEventListener("pointerdown", unlockAudio, { capture: true });
document.addEventListener("keydown", unlockAudio, { capture: true });

// --- errors -------------------------------------------------------------------------------------

function onError(frame) {
  if (frame.code === "bad_colleague" || frame.code === "not_yours") {
    state.pendingMove = null;
  }
  notice(words[`error_${frame.code}`] || words.error_other, "warning");
}

// --- start --------------------------------------------------------------------------------------

setInterval(tick, 1000);
setInterval(() => socket.send({ type: "floor" }), REFRESH_MS);
socket.start();
