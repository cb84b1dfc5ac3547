/**
 * A start that cannot succeed, told as one plain sentence saying why and what to do. The entry points
 * (main.ts, the command-line tools) print its message alone, never a stack trace.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** The sentence to print for any start-up failure: ours as written, anything else by its message. */
export function describeStartupFailure(error: unknown): string {
  if (error instanceof StartupError) return error.message;
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const firstLine = message.split('\n').find((line) => line.trim() !== '')?.trim();
  return firstLine
    ? `start-up failed (${firstLine}): check the settings and the log above, then start again.`
    : 'start-up failed for an unknown reason: check the settings and the log above, then start again.';
}

/** `ENOENT` and friends in words, for sentences about folders. */
export function fileErrorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a file is in the way';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
