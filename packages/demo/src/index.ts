export { Cleanup } from './cleanup.ts';
export { DemoInterruptedError, DemoStepError } from './errors.ts';
export { Narrator, type Write } from './narrate.ts';
export { normaliseTranscript } from './normalise.ts';
export { type DemoOptions, type DemoOutcome, runDemo } from './run-demo.ts';
export { NEW_TAG, PLACEHOLDER_REGISTRY, SAMPLE_IMAGES, seedFiles } from './seed.ts';
export { STEPS } from './steps/index.ts';
