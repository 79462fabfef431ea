import { describe, expect, it } from 'vitest';
import { AbortWatch } from './abort-watch.js';

describe('AbortWatch', () => {
  it('cancels every unit still watched on a signal when it aborts, once, and no other', () => {
    const cancelled: string[] = [];
    const watch = new AbortWatch<string>((unit) => cancelled.push(unit));
    const connection = new AbortController();
    const other = new AbortController();
    watch.add(connection.signal, 'first');
    watch.add(connection.signal, 'second');
    watch.add(connection.signal, 'settled');
    watch.add(other.signal, 'elsewhere');
    watch.delete(connection.signal, 'settled');
    connection.abort();
    connection.abort();
    expect(cancelled).toEqual(['first', 'second']);
    // A later unit on a signal that aborted is the caller's to refuse; the watch starts afresh for it.
    other.abort();
    expect(cancelled).toEqual(['first', 'second', 'elsewhere']);
  });

  it('keeps one listener per signal however many units come and go', () => {
    const watch = new AbortWatch<number>(() => {});
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    for (let unit = 0; unit < 100; unit++) {
      watch.add(controller.signal, unit);
      watch.delete(controller.signal, unit);
    }
    expect(listeners).toBe(1);
  });
});
