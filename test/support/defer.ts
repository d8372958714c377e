import type { TestContext } from 'node:test';

const stacks = new WeakMap<TestContext, Array<() => unknown>>();

/**
 * Registers cleanup to run after the test, last registered first (node:test runs `t.after`
 * hooks first-in first-out, which would close the edge before the agents that use it).
 */
export function defer(t: TestContext, fn: () => unknown): void {
  let stack = stacks.get(t);
  if (!stack) {
    const fresh: Array<() => unknown> = [];
    stacks.set(t, fresh);
    t.after(async () => {
      for (const cleanup of fresh.reverse()) {
        try {
          await cleanup();
        } catch {
          // Cleanup is best effort; the test's own assertions already ran.
        }
      }
    });
    stack = fresh;
  }
  stack.push(fn);
}
