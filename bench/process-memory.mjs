// Resident memory of the local runtime (the workerd process under wrangler dev).
import { readFileSync, readdirSync } from "node:fs";

function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return -1;
  }
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

/** The workerd process that descends from `rootPid`. */
export function findWorkerd(rootPid) {
  const pids = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
  for (const pid of pids) {
    if (!commandOf(pid).includes("workerd")) continue;
    for (let p = pid; p > 1; p = parentOf(p)) if (p === rootPid) return pid;
  }
  throw new Error(`no workerd process under pid ${rootPid}`);
}

export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** Samples RSS every `everyMs` while `fn` runs; resolves to { before, peak, result }. */
export async function peakRss(pid, fn, everyMs = 20) {
  const before = rssMiB(pid);
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, everyMs);
  try {
    const result = await fn();
    peak = Math.max(peak, rssMiB(pid));
    return { before, peak, result };
  } finally {
    clearInterval(timer);
  }
}
