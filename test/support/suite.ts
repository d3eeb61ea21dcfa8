import { afterAll, beforeAll } from 'vitest';

/**
 * One resource (a running desk, its fakes) for the describe block this is called in: opened
 * before its first story, closed after its last. What it returns stands for the resource once
 * it is open, so a story reads `desk.post(…)` with no `let desk; beforeAll(…); afterAll(…)` block
 * of its own. Touching it outside the block's stories is a clear error, not an undefined.
 */
export function forSuite<T extends object>(open: () => Promise<T>, close: (resource: T) => Promise<void>, timeoutMs = 120_000): T {
  let resource: T | undefined;
  beforeAll(async () => {
    resource = await open();
  }, timeoutMs);
  afterAll(async () => {
    const opened = resource;
    resource = undefined;
    if (opened) await close(opened);
  });
  const current = (property: PropertyKey): T => {
    if (!resource) throw new Error(`the suite's resource is not open here (used ${String(property)} outside its stories)`);
    return resource;
  };
  return new Proxy({} as T, {
    get(_, property) {
      const target = current(property);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(_, property, value) {
      return Reflect.set(current(property), property, value);
    },
  });
}
