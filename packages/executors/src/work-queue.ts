/**
 * The pool's queue: work that no thread holds yet, in arrival order. Work a crashed thread had not started goes
 * back to its front (it waited longest).
 */
export class WorkQueue<T> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Puts work back ahead of everything that waits, in the order given. */
  returnToFront(items: readonly T[]): void {
    if (items.length > 0) this.items.unshift(...items);
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  remove(item: T): void {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
  }

  /** Empties the queue, returning what waited. */
  takeAll(): T[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}
