/**
 * Kafka takes a produce request's messages for one partition as one record
 * batch, whole or not at all, and refuses a batch over the broker's
 * message.max.bytes (1 MB by default): "the request included a message
 * larger than the max message size". A flush over thousands of subreddits
 * writes that much to one partition at once, so sends are cut into requests
 * of at most `maxBytes` of keys and values, in order.
 */
export const REQUEST_BYTES = 800 * 1024;

export function produceRequests<T extends { readonly key: string; readonly value: string }>(
  messages: readonly T[],
  maxBytes = REQUEST_BYTES,
): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    // UTF-8 is at most three bytes per UTF-16 unit: an upper bound, cheaper than encoding.
    const size = 3 * (message.key.length + message.value.length) + 64;
    if (current.length > 0 && bytes + size > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
