/** The run's figures, printed as `label  value` lines (the test reads them), then what failed. */
export function printFigures(run) {
  const { client, audit, kills, firstStartMs, stop, verify, behind, mode, seconds } = run;
  const ledger = client.ledger;
  const count = (outcome) => ledger.filter((e) => e.outcome === outcome).length;
  const refusedBy = tally(ledger.filter((e) => e.outcome === 'refused').map((e) => `${e.status} ${e.answer?.code ?? ''}`.trim()));
  const restartMs = kills.map((k) => k.restartMs).filter((ms) => ms !== undefined).sort((a, b) => a - b);
  const lines = [
    ['mode', mode],
    ['load seconds (restarts included)', seconds.toFixed(1)],
    ['commands sent', ledger.length],
    ['  acknowledged (2xx)', count('acknowledged')],
    ['    by a replay (applied, answer lost to a kill)', ledger.filter((e) => e.replayed).length],
    ['  refused (4xx)', `${count('refused')}${refusedBy ? `  (${refusedBy})` : ''}`],
    ['  unanswered', count('unanswered')],
    ['  failed', count('refused') + count('unanswered')],
    ['attempts', client.figures.attempts],
    ['  retried (lost connection or 5xx)', client.figures.retries],
    ['  5xx answers', client.figures.serverErrors],
    ['kills (kill -9)', kills.length],
    ['  commands in flight at each kill', kills.map((k) => k.inFlight).join(', ') || '-'],
    ['restarts', restartMs.length],
    ['  first start ms', Math.round(firstStartMs)],
    ['  restart ms (kill to healthy) min/median/max', restartMs.length ? [restartMs[0], restartMs[restartMs.length >> 1], restartMs.at(-1)].map(Math.round).join(' / ') : '-'],
    ['  graceful stop ms', stop ? `${Math.round(stop.ms)} (${stop.signal ? `signal ${stop.signal}` : `exit code ${stop.code}`})` : '-'],
  ];
  if (audit) {
    lines.push(
      ['events', `${audit.events} in ${audit.streams} streams`],
      ['  events of no command of ours', audit.eventsOfNoCommandOfOurs],
      ['  applied without an answer', audit.appliedWithoutAnswer],
      ['lost', audit.lost.length],
      ['doubled', audit.doubled.length],
      ['refused but applied', audit.refusedButApplied.length],
      ['gaps', audit.gaps.length],
    );
  }
  lines.push(['read models behind the log', behind ?? '-'], ['read-model differences', verify ? verify.differences : '-']);
  const width = Math.max(...lines.map(([label]) => label.length)) + 2;
  console.log(`\n${lines.map(([label, value]) => `${label.padEnd(width)}${value}`).join('\n')}`);
}

/** What makes the run fail, as sentences; empty when everything held. */
export function failures(run) {
  const { client, audit, verify, behind } = run;
  const found = [];
  const unanswered = client.ledger.filter((e) => e.outcome === 'unanswered').length;
  if (unanswered > 0) found.push(`${unanswered} command(s) never got an answer`);
  for (const [what, list] of [
    ['lost (acknowledged, not in the log as answered)', audit.lost],
    ['doubled (applied more than once)', audit.doubled],
    ['refused but applied', audit.refusedButApplied],
    ['streams with a version gap', audit.gaps],
  ]) {
    if (list.length > 0) found.push(`${list.length} ${what}, e.g. ${JSON.stringify(list.slice(0, 3))}`);
  }
  if (behind > 0) found.push(`${behind} read model(s) did not catch up with the log`);
  if (verify.differences > 0) found.push(`npm run verify found ${verify.differences} read model(s) differing from a replay`);
  else if (verify.status !== 0) found.push(`npm run verify failed (exit ${verify.status}; its output is above)`);
  return found;
}

/** What went wrong without putting data at risk: said, but the run still passes. */
export function warnings(run) {
  const { client, stop, postgresLeftRunning } = run;
  const found = [];
  if (client.figures.serverErrors > 0) found.push(`${client.figures.serverErrors} answer(s) were 5xx (retried)`);
  if (stop && (stop.signal || stop.code !== 0)) found.push(`SIGTERM stopped the service with ${stop.signal ?? `exit code ${stop.code}`}, not a clean exit 0`);
  if (postgresLeftRunning) found.push('the embedded PostgreSQL was still running after the service stopped (the run stopped it)');
  return found;
}

function tally(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v}: ${n}`).join(', ');
}
