/**
 * The highest version seen per window, for the most recently updated
 * windows (at most `capacity`; the least recently updated are forgotten).
 *
 * A server that lost a partition without noticing (paused past the Kafka
 * session timeout) can publish a window after the new owner has: its row
 * carries an older version (WindowRecord.version), and a live client must
 * not see the window go back. Such late rows are of windows updated moments
 * before, so the recent ones are the ones worth remembering.
 */
export class NewestVersions {
  private readonly versions = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  /** Whether `version` is at least the newest seen for `key`; if so, it becomes the newest. */
  admit(key: string, version: number): boolean {
    const newest = this.versions.get(key);
    if (newest !== undefined && version < newest) return false;
    // Re-inserted, so the map's order is least recently updated first.
    this.versions.delete(key);
    this.versions.set(key, version);
    if (this.versions.size > this.capacity) {
      const oldest = this.versions.keys().next();
      if (!oldest.done) this.versions.delete(oldest.value);
    }
    return true;
  }
}
