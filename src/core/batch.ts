/**
 * Coalesce concurrent look-ups into one call. Several waits that poll at the same moment (two VIFs,
 * two endpoints) then share one Describe call instead of each making its own.
 *
 * `load` receives the distinct keys requested in the same tick and returns a map of results; a key
 * missing from the map resolves to undefined.
 */
interface Batch<K, V> {
  keys: Set<K>;
  waiters: Array<{ key: K; resolve: (v: V | undefined) => void; reject: (e: unknown) => void }>;
}

export function batched<K, V>(load: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  let pending: Batch<K, V> | null = null;
  return (key: K) =>
    new Promise<V | undefined>((resolve, reject) => {
      if (!pending) {
        const batch: Batch<K, V> = { keys: new Set<K>(), waiters: [] };
        pending = batch;
        // setImmediate lets every poller scheduled for this moment join the batch first.
        setImmediate(() => {
          pending = null;
          load([...batch.keys]).then(
            (results) => {
              for (const w of batch.waiters) w.resolve(results.get(w.key));
            },
            (error) => {
              for (const w of batch.waiters) w.reject(error);
            },
          );
        });
      }
      const current: Batch<K, V> = pending;
      current.keys.add(key);
      current.waiters.push({ key, resolve, reject });
    });
}
