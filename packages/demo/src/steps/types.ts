import type { Narrator } from '../narrate.ts';
import type { Stack } from '../stack.ts';

/** What every step sees: the running stack, the narrator, and what earlier steps recorded. */
export interface DemoContext {
  stack: Stack;
  narrate: Narrator;
  /** The git head before the new tag was pushed (set by the push step). */
  headBeforePush?: string;
  /** The image reference the automation should move podinfo to (set by the push step). */
  newImage?: string;
}

/** One narrated step: `run` prints what happens and returns the ✓ line, or throws DemoStepError. */
export interface Step {
  /** Short name, used in the ✗ line. */
  name: string;
  title: string;
  run(ctx: DemoContext): Promise<string>;
}
