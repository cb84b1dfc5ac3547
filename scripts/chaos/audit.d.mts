// Types of audit.mjs, for the test that checks the checker (test/operations/chaos.test.ts).
export interface LedgerEntry {
  key: string;
  kind: string;
  path: string;
  outcome: 'acknowledged' | 'refused' | 'unanswered';
  status?: number;
  answer?: { id?: string; version?: number; position?: string; code?: string };
}

export interface Audit {
  events: number;
  streams: number;
  eventsOfNoCommandOfOurs: number;
  lost: unknown[];
  doubled: unknown[];
  refusedButApplied: unknown[];
  appliedWithoutAnswer: number;
  gaps: unknown[];
}

export function auditLog(databaseUrl: string, ledger: readonly LedgerEntry[]): Promise<Audit>;
