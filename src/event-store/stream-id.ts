import { v5 as uuidV5 } from 'uuid';

/**
 * The root of every stream-type namespace. Fixed forever: changing it (or a stream type's name) gives
 * every natural key a new stream id, and the streams already written under the old ones are lost to it.
 */
const EVENTSHOP_NAMESPACE = '6f1c2b9e-4a7d-5c3e-9b1f-2d8e0a6c4f17';

const namespaces = new Map<string, string>();

/**
 * The stream id a natural key names, the same on every instance and every run: a UUID v5 in a
 * namespace of its own per stream type, so that `streamIdFor('review', customerId, productId)` is the
 * one stream of that customer's review of that product. Appending to it at expected version 0 (a
 * decision's `expect: 'new'`, or a decider refusing a state that exists) makes "one per key" the
 * decider's own rule: of two concurrent creations, one wins and the other is decided again and refused.
 *
 * The parts are hashed as a JSON array, so ('ab', 'c') and ('a', 'bc') are different keys. They are
 * taken as given: normalise them first where the key is looser than its spelling (a SKU's case).
 */
export function streamIdFor(streamType: string, ...key: readonly string[]): string {
  if (streamType === '') throw new Error('streamIdFor needs a stream type');
  if (key.length === 0) throw new Error(`streamIdFor('${streamType}') needs at least one key part`);
  let namespace = namespaces.get(streamType);
  if (namespace === undefined) namespaces.set(streamType, (namespace = uuidV5(streamType, EVENTSHOP_NAMESPACE)));
  return uuidV5(JSON.stringify(key), namespace);
}
