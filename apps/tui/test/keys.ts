// Test helpers for writing keys to an Ink app under ink-testing-library.
import { expect, vi } from "vitest";

/** How long a test waits for a frame: generous, because CI machines can be busy. */
export const patience = { timeout: 30_000, interval: 20 };

/**
 * Resolves once Ink listens to stdin. Ink subscribes in an effect after the first render, so a key written
 * before that is lost; after it, keys reach the app's one listener in order, however fast they come.
 */
export async function listening(stdin: NodeJS.EventEmitter): Promise<void> {
  await vi.waitFor(() => expect(stdin.listenerCount("readable")).toBeGreaterThan(0), patience);
}
