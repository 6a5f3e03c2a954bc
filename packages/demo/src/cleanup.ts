/** Things to stop, in reverse order of starting; what is added after `run()` began is stopped at once. */
export class Cleanup {
  readonly #items: { name: string; stop: () => Promise<void> }[] = [];
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Registers `stop`; when cleanup already ran, runs it now (a component that finished starting late). */
  async add(name: string, stop: () => Promise<void>): Promise<void> {
    if (this.#closed) {
      await stop().catch(() => undefined);
      return;
    }
    this.#items.push({ name, stop });
  }

  /** Stops everything (last started first); returns the names stopped and the failures. */
  async run(): Promise<{ stopped: string[]; failed: { name: string; error: string }[] }> {
    this.#closed = true;
    const stopped: string[] = [];
    const failed: { name: string; error: string }[] = [];
    while (this.#items.length > 0) {
      const item = this.#items.pop();
      if (!item) break;
      try {
        await item.stop();
        stopped.push(item.name);
      } catch (err) {
        failed.push({ name: item.name, error: (err as Error).message });
      }
    }
    return { stopped, failed };
  }
}
