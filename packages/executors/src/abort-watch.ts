/**
 * Cancels units of work when their signal aborts, with one listener per signal rather than one per unit. A
 * server's signal is its connection's — one per socket, shared by every request on it — and adding and removing
 * an event listener for each request cost the event loop about a microsecond.
 */
export class AbortWatch<Unit> {
  readonly #watched = new WeakMap<AbortSignal, Set<Unit>>();

  constructor(private readonly cancel: (unit: Unit) => void) {}

  /** Cancels `unit` when `signal` aborts (the caller checked it has not yet). */
  add(signal: AbortSignal, unit: Unit): void {
    let units = this.#watched.get(signal);
    if (units === undefined) {
      const watched = new Set<Unit>();
      units = watched;
      this.#watched.set(signal, watched);
      signal.addEventListener(
        'abort',
        () => {
          this.#watched.delete(signal);
          for (const each of [...watched]) this.cancel(each);
        },
        { once: true },
      );
    }
    units.add(unit);
  }

  /** The unit settled: its signal's abort no longer concerns it. */
  delete(signal: AbortSignal, unit: Unit): void {
    this.#watched.get(signal)?.delete(unit);
  }
}
