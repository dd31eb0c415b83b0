import { expect } from 'vitest';

/** What a refusal to start, or a start failure, must never look like: each names its cause. */
export function expectExplained(stderr: string): void {
  expect(stderr).not.toMatch(/internal error/i);
  expect(stderr).not.toMatch(/did not start within/);
  expect(stderr).not.toMatch(/another (bgjobs )?daemon owns/i);
}
