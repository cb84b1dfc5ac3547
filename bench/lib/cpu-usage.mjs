import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the machine's CPU went during a run. The bench shares its two cores with whatever else runs
 * (other engineers' test suites, say); a run with a busy neighbour is not comparable to a quiet one, so
 * every run records the CPU used by processes outside the bench's own tree (the bench, the services,
 * the baselines, its PostgreSQL and their children), and can split ours into service, PostgreSQL and
 * the bench itself (the load generator).
 */
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function machineBusyTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return user + nice + system + irq + softirq + (steal ?? 0);
}

/** Every process: parent, command name, CPU ticks used (its own, plus those of the children it reaped). */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields start after its last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

function treeOf(table, root) {
  const tree = new Set(table.has(root) ? [root] : []);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, { ppid }] of table) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return tree;
}

const ticksOf = (table, pids) => [...pids].reduce((sum, pid) => sum + (table.get(pid)?.ticks ?? 0), 0);

function snapshot(servicePid) {
  const table = processTable();
  const ours = treeOf(table, process.pid);
  const postmasters = [...ours].filter((pid) => table.get(pid).comm === 'postgres' && table.get(table.get(pid).ppid)?.comm !== 'postgres');
  const postgres = new Set(postmasters.flatMap((pid) => [...treeOf(table, pid)]));
  const service = servicePid ? treeOf(table, servicePid) : new Set();
  return {
    at: Date.now(),
    machine: machineBusyTicks(),
    ours: ticksOf(table, ours),
    postgres: ticksOf(table, postgres),
    service: ticksOf(table, service),
    bench: table.get(process.pid)?.ticks ?? 0,
  };
}

/**
 * Starts measuring; `stop()` gives cores' worth of CPU (0..cores) used meanwhile: by the whole machine,
 * by the bench's tree, by others, and (with `servicePid`) by that service, by PostgreSQL and by the
 * bench process itself.
 */
export function cpuMeter({ servicePid } = {}) {
  const start = snapshot(servicePid);
  return {
    stop() {
      const end = snapshot(servicePid);
      const cores = (key) => Math.max(0, (end[key] - start[key]) / TICKS_PER_SECOND / ((end.at - start.at) / 1000));
      const machine = cores('machine');
      const ours = cores('ours');
      return { machine, ours, others: Math.max(0, machine - ours), service: cores('service'), postgres: cores('postgres'), bench: cores('bench') };
    },
  };
}

/** Every measured run's reading, for the "other load" table of RESULTS.md. */
export const noiseLog = [];
