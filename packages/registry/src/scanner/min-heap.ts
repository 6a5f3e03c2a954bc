/** A binary min-heap under `before` (true when `a` comes out before `b`). */
export class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const [child, up] = [items[i] as T, items[parent] as T];
      if (!this.#before(child, up)) break;
      items[i] = up;
      items[parent] = child;
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && this.#before(items[l] as T, items[m] as T)) m = l;
      if (r < items.length && this.#before(items[r] as T, items[m] as T)) m = r;
      if (m === i) break;
      const t = items[i] as T;
      items[i] = items[m] as T;
      items[m] = t;
      i = m;
    }
    return top;
  }
}
