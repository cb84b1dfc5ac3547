import { readFileSync } from 'node:fs';

/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per origin (an npm
 * package, a file of dist/, Node's own code, V8/GC). With `window`, only the samples taken between
 * `window.startMsBeforeEnd` and `window.endMsBeforeEnd` milliseconds before the profile ended.
 */
export function summarizeCpuProfile(file, window) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const fromUs = window ? profile.endTime - window.startMsBeforeEnd * 1000 : -Infinity;
  const toUs = window ? profile.endTime - window.endMsBeforeEnd * 1000 : Infinity;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  let t = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    total += delta;
  });
  const parents = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
  const nameOf = ({ callFrame }) => `${callFrame.functionName || '(anonymous)'} ${shortUrl(callFrame.url)}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
  /** The nearest JavaScript frame above a node: who called a native function such as writev. */
  const jsCallerOf = (id) => {
    for (let p = parents.get(id); p !== undefined; p = parents.get(p)) {
      const node = nodes.get(p);
      if (node.callFrame.url) return `${nameOf(node)} <- ${parents.has(p) ? nameOf(nodes.get(parents.get(p))) : ''}`;
    }
    return '(none)';
  };
  const byFunction = new Map();
  const byOrigin = new Map();
  const callers = new Map();
  for (const [id, us] of selfUs) {
    const node = nodes.get(id);
    const name = nameOf(node);
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byOrigin.set(originOf(node.callFrame), (byOrigin.get(originOf(node.callFrame)) ?? 0) + us);
    if (!node.callFrame.url) {
      const byCaller = callers.get(name) ?? new Map();
      const caller = jsCallerOf(id);
      byCaller.set(caller, (byCaller.get(caller) ?? 0) + us);
      callers.set(name, byCaller);
    }
  }
  const rank = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
  return {
    totalMs: total / 1000,
    byOrigin: rank(byOrigin),
    byFunction: rank(byFunction),
    /** For a native function (no script), its self time split by the JavaScript frames that called it. */
    callersOf: (name) => rank(callers.get(name) ?? new Map()),
  };
}

function originOf({ url, functionName }) {
  if (!url) return functionName.startsWith('(') ? `V8: ${functionName}` : 'V8/native';
  if (url.startsWith('node:')) return 'Node.js core';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `eventshop ${url.slice(dist + 1).split('/').slice(0, 2).join('/')}`;
  return shortUrl(url);
}

function shortUrl(url) {
  if (!url) return '';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}
