/** A binary min-heap on `at`, ties broken by insertion order, so simulations are deterministic. */
export class EventQueue<T extends { at: number }> {
  private items: { item: T; seq: number }[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const entry = { item, seq: this.seq++ };
    const items = this.items;
    let i = items.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      if (!p || !this.before(entry, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (!top || !last || items.length === 0) return top?.item;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = last;
      let at = i;
      const l = items[left];
      const r = items[right];
      if (l && this.before(l, smallest)) [smallest, at] = [l, left];
      if (r && this.before(r, smallest)) [smallest, at] = [r, right];
      if (at === i) break;
      items[i] = smallest;
      i = at;
    }
    items[i] = last;
    return top.item;
  }

  private before(a: { item: T; seq: number }, b: { item: T; seq: number }): boolean {
    return a.item.at < b.item.at || (a.item.at === b.item.at && a.seq < b.seq);
  }
}
