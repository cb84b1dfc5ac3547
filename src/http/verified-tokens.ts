import { LRUCache } from 'lru-cache';

/** What a verified token says, and until when (its `exp`, in seconds since the epoch). */
export interface VerifiedToken<C> {
  readonly caller: C;
  readonly exp: number;
}

/**
 * Bounds: a busy instance sees a few thousand live tokens; an attacker sending fresh valid tokens can
 * only push out older entries. Size is counted in token characters so that long tokens cannot make
 * the bound meaningless (a token may be up to a header's length).
 */
const MAX_TOKENS = 10_000;
const MAX_TOKEN_CHARS = 8 * 1024 * 1024;

/**
 * Tokens that passed every check, keyed by the token string itself (the signature is part of it, so a
 * changed token is another key). An HS256 check costs an HMAC and two JSON parses per request, the
 * same for every request of a caller; a hit here costs a map lookup. An entry is never used at or
 * after its token's `exp` (by the clock the checks use), so an expired token is refused even while
 * cached. Only accepted tokens are kept: a refused token is checked again each time, as before.
 */
export class VerifiedTokens<C> {
  private readonly cache = new LRUCache<string, VerifiedToken<C>>({
    max: MAX_TOKENS,
    maxSize: MAX_TOKEN_CHARS,
    sizeCalculation: (_, token) => token.length,
  });

  /** The token's caller if it was verified and has not expired by `nowSeconds`. */
  get(token: string, nowSeconds: number): C | undefined {
    const entry = this.cache.get(token);
    if (entry === undefined) return undefined;
    if (nowSeconds >= entry.exp) {
      this.cache.delete(token);
      return undefined;
    }
    return entry.caller;
  }

  set(token: string, entry: VerifiedToken<C>): void {
    this.cache.set(token, entry);
  }
}
