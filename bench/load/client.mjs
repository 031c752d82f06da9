// The chat benchmark's load generator: N young people and N counselors, each a real WebSocket
// client speaking docs/protocol.md, driven by bench/chat_load.py over stdin/stdout (one JSON
// object per line). Node + `ws` because an asyncio + websockets client needed most of a core
// for the same work (bench/README.md, "The load generator").
//
// stdin, first line: the config {url, origin, cookie_name, pairs: [{conversation, token, session}],
//   mode: "load" | "idle", run_id, body, connect_concurrency, connect_timeout_s, hard_timeout_s,
//   warm_pairs (idle mode), connect_attempts, trace (a file path, or null)}.
// Then commands: {"cmd": "run", rate, warmup_s, measure_s, drain_s} | {"cmd": "connect_rest"} |
//   {"cmd": "quit", drain_s}.
// stdout: {"event": "connected" | "warm" | "measure_start" | "measure_end" | "result" | "final" |
//   "fatal", ...}.
import { appendFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { WebSocket } from "ws";

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

// --- commands from stdin ------------------------------------------------------------------------
const queued = [];
let waiting = null;
createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line);
  if (waiting) {
    const resolve = waiting;
    waiting = null;
    resolve(command);
  } else queued.push(command);
});
const nextCommand = () => (queued.length ? Promise.resolve(queued.shift()) : new Promise((r) => (waiting = r)));

// --- bookkeeping ----------------------------------------------------------------------------------
// One record per message sent, by client_id: when it was sent, acknowledged and delivered.
const records = new Map();
const delivered = new Set(); // every client_id the peer has received, for duplicate detection
const totals = { duplicated: 0, out_of_order: 0, seq_mismatch: 0, duplicate_acks: 0, unknown: 0, errors: {} };
let step = null; // the running step's counters

class Side {
  constructor(pair, kind) {
    this.pair = pair;
    this.kind = kind; // "y" young person, "c" counselor
    this.ws = null;
    this.counter = 0;
    this.lastAckSeq = 0; // acks on one socket come in send order with rising seq
    this.lastPeerSeq = 0; // the peer's messages arrive with rising seq
    this.ready = null;
  }
}

function countError(code) {
  totals.errors[code] = (totals.errors[code] || 0) + 1;
  if (step) step.errors[code] = (step.errors[code] || 0) + 1;
}

function outOfOrder() {
  totals.out_of_order += 1;
  if (step) step.out_of_order += 1;
}

function onFrame(side, data) {
  const now = performance.now();
  let frame;
  try {
    frame = JSON.parse(data);
  } catch {
    countError("client_bad_json");
    return;
  }
  if (side.ready) {
    if (frame.type === "welcome") {
      side.lastPeerSeq = frame.last_seq; // replayed messages follow; all of them are older
      side.ready();
    } else if (frame.type === "assigned" && frame.conversation === side.pair.conversation) {
      side.lastPeerSeq = frame.last_seq;
      side.ready();
    } else if (frame.type === "error") countError(`connect_${frame.code}`);
    return;
  }
  switch (frame.type) {
    case "ack":
      onAck(side, frame, now);
      break;
    case "msg":
      onMessage(side, frame, now);
      break;
    case "error":
      countError(frame.code);
      if (frame.client_id && records.has(frame.client_id)) records.get(frame.client_id).refused = frame.code;
      break;
    default:
      break; // shift, queue, state, read, typing: not part of the measurement
  }
}

function onAck(side, frame, now) {
  const record = records.get(frame.client_id);
  if (!record) {
    totals.unknown += 1;
    return;
  }
  if (record.ackAt !== undefined) {
    totals.duplicate_acks += 1;
    return;
  }
  record.ackAt = now;
  record.seq = frame.seq;
  if (frame.seq <= side.lastAckSeq) outOfOrder();
  else side.lastAckSeq = frame.seq;
  if (record.deliveredSeq !== undefined && record.deliveredSeq !== frame.seq) totals.seq_mismatch += 1;
  if (step && step.id === record.step) {
    step.seqs[side.pair.index].push(frame.seq);
    if (now >= step.measureStart && now < step.measureEnd) step.ackedInWindow += 1;
  }
}

function onMessage(side, frame, now) {
  const id = frame.client_id;
  if (typeof id !== "string" || !id.startsWith(config.run_id)) return; // not one of ours
  if (delivered.has(id)) {
    totals.duplicated += 1;
    if (step) step.duplicated += 1;
    return;
  }
  delivered.add(id);
  if (frame.seq <= side.lastPeerSeq) outOfOrder();
  else side.lastPeerSeq = frame.seq;
  const record = records.get(id);
  if (!record) {
    totals.unknown += 1;
    return;
  }
  record.deliveredAt = now;
  record.deliveredSeq = frame.seq;
  if (record.seq !== undefined && record.seq !== frame.seq) totals.seq_mismatch += 1;
  if (record.side === side) countError("client_echo"); // the sender must not get its own message back
  if (step && step.id === record.step) {
    step.seqs[side.pair.index].push(frame.seq);
    if (now >= step.measureStart && now < step.measureEnd) step.deliveredInWindow += 1;
  }
}

// --- connecting ---------------------------------------------------------------------------------
function open(side, path, headers) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error("timeout"));
      ws.terminate();
    }, config.connect_timeout_s * 1000);
    const ws = new WebSocket(config.url + path, {
      perMessageDeflate: false,
      origin: config.origin,
      headers,
      handshakeTimeout: config.connect_timeout_s * 1000,
      maxPayload: 16 * 1024 * 1024,
    });
    side.ws = ws;
    side.ready = () => {
      clearTimeout(timer);
      side.ready = null;
      resolve();
    };
    // A socket given up on (timed out, then retried) may still say something: it no longer counts.
    ws.on("message", (data) => side.ws === ws && onFrame(side, data));
    ws.on("unexpected-response", (_request, response) => {
      clearTimeout(timer);
      reject(new Error(`http_${response.statusCode}`));
      ws.terminate();
    });
    ws.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(error.code || "socket_error"));
    });
    ws.on("close", (code) => {
      clearTimeout(timer);
      if (side.ws !== ws) return;
      if (side.ready) reject(new Error(`closed_${code}`));
      else if (!quitting) countError(`closed_${code}`);
    });
    if (path === "/ws/chat/") ws.on("open", () => ws.send(JSON.stringify({ type: "hello", token: side.pair.token, last_seq: 0 })));
  });
}

async function connectPairs(pairs) {
  const failures = {};
  const retried = {};
  let connected = 0;
  let next = 0;
  const started = performance.now();
  let slowest = 0;
  async function attempt(side, path, headers) {
    for (let number = 1; ; number += 1) {
      const begun = performance.now();
      try {
        await open(side, path, headers);
        slowest = Math.max(slowest, performance.now() - begun);
        return;
      } catch (error) {
        if (number >= config.connect_attempts) throw error;
        retried[error.message] = (retried[error.message] || 0) + 1;
      }
    }
  }
  async function worker() {
    while (next < pairs.length) {
      const pair = pairs[next++];
      const results = await Promise.allSettled([
        attempt(pair.young, "/ws/chat/", {}),
        attempt(pair.counselor, "/ws/console/", { Cookie: `${config.cookie_name}=${pair.session}` }),
      ]);
      for (const result of results) {
        if (result.status === "fulfilled") connected += 1;
        else failures[result.reason.message] = (failures[result.reason.message] || 0) + 1;
      }
      pair.ok = results.every((result) => result.status === "fulfilled");
    }
  }
  await Promise.all(Array.from({ length: config.connect_concurrency }, worker));
  return { connected, failures, retried, connect_s: (performance.now() - started) / 1000, slowest_connect_ms: slowest };
}

// --- one step at a fixed offered rate -------------------------------------------------------------
function percentile(sorted, fraction) {
  if (!sorted.length) return null;
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
  return Number.isFinite(value) ? value : null; // null: that share of messages never got through
}

function summary(values) {
  values.sort((a, b) => a - b);
  const finite = values.filter(Number.isFinite);
  return {
    p50_ms: percentile(values, 0.5),
    p99_ms: percentile(values, 0.99),
    max_ms: finite.length === values.length ? (finite.length ? finite[finite.length - 1] : null) : null,
    never: values.length - finite.length,
  };
}

async function runStep(command, sides, stepId) {
  const rate = command.rate;
  const t0 = performance.now() + 50;
  const measureStart = t0 + command.warmup_s * 1000;
  const measureEnd = measureStart + command.measure_s * 1000;
  step = {
    id: stepId,
    measureStart,
    measureEnd,
    ackedInWindow: 0,
    deliveredInWindow: 0,
    duplicated: 0,
    out_of_order: 0,
    errors: {},
    seqs: config.pairs.map(() => []),
  };
  const total = Math.floor(((measureEnd - t0) / 1000) * rate);
  const mine = [];
  let sent = 0;
  let sentInWindow = 0;
  let lagMax = 0;
  let started = false;
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      if (!started && now >= measureStart) {
        started = true;
        emit({ event: "measure_start" });
      }
      const due = Math.min(total, Math.floor(((now - t0) / 1000) * rate));
      if (due > sent) lagMax = Math.max(lagMax, now - (t0 + (sent * 1000) / rate));
      while (sent < due) {
        const side = sides[sent % sides.length];
        const id = `${config.run_id}.${side.kind}${side.pair.index}.${stepId}.${side.counter++}`;
        const frame =
          side.kind === "c"
            ? { type: "msg", conversation: side.pair.conversation, client_id: id, body: config.body }
            : { type: "msg", client_id: id, body: config.body };
        const sentAt = performance.now();
        const record = { id, side, step: stepId, sentAt, measured: sentAt >= measureStart && sentAt < measureEnd };
        records.set(id, record);
        mine.push(record);
        if (record.measured) sentInWindow += 1;
        side.ws.send(JSON.stringify(frame));
        sent += 1;
      }
      if (now >= measureEnd && sent >= total) {
        clearInterval(timer);
        emit({ event: "measure_end" });
        resolve();
      }
    }, 1);
  });
  // Drain: every message answered (acked and delivered, or refused), or the drain time is up.
  const drainDeadline = performance.now() + command.drain_s * 1000;
  const open = () => mine.some((r) => r.refused === undefined && (r.ackAt === undefined || r.deliveredAt === undefined));
  while (performance.now() < drainDeadline && open()) await new Promise((r) => setTimeout(r, 50));
  const drainedMs = performance.now() - measureEnd;

  const endToEnd = [];
  const ackLatency = [];
  let lost = 0;
  let unacked = 0;
  let refused = 0;
  for (const record of mine) {
    if (record.refused !== undefined) refused += 1;
    else if (record.ackAt === undefined) unacked += 1;
    else if (record.deliveredAt === undefined) lost += 1;
    if (record.measured) {
      endToEnd.push(record.deliveredAt === undefined ? Infinity : record.deliveredAt - record.sentAt);
      ackLatency.push(record.ackAt === undefined ? Infinity : record.ackAt - record.sentAt);
    }
    if (record.ackAt !== undefined && record.deliveredAt !== undefined) records.delete(record.id);
  }
  if (config.trace) trace(stepId, rate, measureStart, mine);
  let gaps = 0;
  for (const seqs of step.seqs) {
    if (!seqs.length) continue;
    const unique = new Set(seqs);
    gaps += Math.max(...unique) - Math.min(...unique) + 1 - unique.size;
  }
  const result = {
    event: "result",
    offered: rate,
    sent,
    sent_rate: sentInWindow / command.measure_s,
    achieved: step.deliveredInWindow / command.measure_s,
    acked_in_window: step.ackedInWindow,
    delivered_in_window: step.deliveredInWindow,
    e2e: summary(endToEnd),
    ack: summary(ackLatency),
    lost,
    unacked,
    refused,
    duplicated: step.duplicated,
    out_of_order: step.out_of_order,
    seq_gaps: gaps,
    errors: step.errors,
    generator_lag_max_ms: lagMax,
    drained_ms: drainedMs,
  };
  step = null;
  return result;
}

// One line a measured message, in send order, for finding when the slow ones were sent (a stall
// shows as a run of them): step, offered rate, ms from the start of the measurement, end-to-end
// and ack latency in ms (empty when it never came). A comment line first gives the measurement's
// start in ms since the epoch, to line the trace up with the server's logs.
function trace(stepId, rate, measureStart, mine) {
  const after = (at, start) => (at === undefined ? "" : (at - start).toFixed(2));
  const lines = mine
    .filter((record) => record.measured)
    .map((r) => [stepId, rate, after(r.sentAt, measureStart), after(r.deliveredAt, r.sentAt), after(r.ackAt, r.sentAt)].join("\t") + "\n");
  const start = `# step ${stepId} measured from ${(performance.timeOrigin + measureStart).toFixed(1)} ms since the epoch\n`;
  appendFileSync(config.trace, start + lines.join(""));
}

// --- main -----------------------------------------------------------------------------------------
let config;
let quitting = false;

async function main() {
  config = await nextCommand();
  setTimeout(() => {
    emit({ event: "fatal", error: `hard timeout of ${config.hard_timeout_s} s` });
    process.exit(3);
  }, config.hard_timeout_s * 1000).unref();
  config.pairs.forEach((pair, index) => {
    pair.index = index;
    pair.young = new Side(pair, "y");
    pair.counselor = new Side(pair, "c");
  });
  if (config.mode === "idle") {
    const warm = config.pairs.slice(0, config.warm_pairs);
    const first = await connectPairs(warm);
    emit({ event: "warm", ...first });
    await nextCommand();
    const rest = await connectPairs(config.pairs.slice(config.warm_pairs));
    emit({ event: "connected", ...rest, connected: first.connected + rest.connected, failures: merge(first.failures, rest.failures) });
  } else {
    const result = await connectPairs(config.pairs);
    emit({ event: "connected", ...result });
  }
  const sides = config.pairs.filter((pair) => pair.ok).flatMap((pair) => [pair.young, pair.counselor]);
  for (let stepId = 0; ; stepId += 1) {
    const command = await nextCommand();
    if (command.cmd === "run") emit(await runStep(command, sides, stepId));
    else if (command.cmd === "quit") {
      await finish(command.drain_s ?? 5);
      return;
    }
  }
}

function merge(a, b) {
  const merged = { ...a };
  for (const [key, value] of Object.entries(b)) merged[key] = (merged[key] || 0) + value;
  return merged;
}

async function finish(drainS) {
  // Whatever was acknowledged and is still on its way gets a last chance to arrive.
  const deadline = performance.now() + drainS * 1000;
  const pending = () => [...records.values()].filter((r) => r.refused === undefined && r.ackAt !== undefined && r.deliveredAt === undefined);
  while (performance.now() < deadline && pending().length) await new Promise((r) => setTimeout(r, 50));
  const all = [...records.values()];
  emit({
    event: "final",
    lost: pending().length,
    unacked: all.filter((r) => r.refused === undefined && r.ackAt === undefined).length,
    ...totals,
  });
  quitting = true;
  const sockets = config.pairs.flatMap((pair) => [pair.young.ws, pair.counselor.ws]).filter(Boolean);
  await Promise.race([
    Promise.all(
      sockets.map(
        (ws) =>
          new Promise((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once("close", resolve);
            ws.close(1000);
          }),
      ),
    ),
    new Promise((r) => setTimeout(r, 5000)),
  ]);
  process.exit(0);
}

main().catch((error) => {
  emit({ event: "fatal", error: String(error && error.stack ? error.stack : error) });
  process.exit(2);
});
