import { writeFile } from 'node:fs/promises';
import type { Cleanup } from './cleanup.ts';
import { DemoStepError } from './errors.ts';
import { indent, type Narrator, seconds } from './narrate.ts';
import { NEW_TAG, SAMPLE_IMAGES } from './seed.ts';
import { NAMESPACE, type Stack, startStack } from './stack.ts';
import { type DemoContext, STEPS } from './steps/index.ts';

export interface DemoOptions {
  narrate: Narrator;
  cleanup: Cleanup;
  /** Temporary directories made before the stack (the TMPDIR root); recorded in the state file. */
  extraTempDirs?: readonly string[];
  /** Where to write `{ tempDirs, fluxdPid }` once the stack runs (for the test's cleanup check). */
  stateFile?: string;
}

/** What the demo ended with: 0 when every step held, 1 when one failed; the stack when it started. */
export interface DemoOutcome {
  code: number;
  stack?: Stack;
}

/** Starts the stack and runs every step, narrating. Stopping is the caller's (`cleanup.run()`). */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const { narrate, cleanup } = options;
  const started = Date.now();
  narrate.raw('flux-ts demo: fluxd and fluxctl against a real kube-apiserver, registry and git server.\n');
  narrate.heading('Start the components');
  narrate.say('Everything runs on 127.0.0.1, from this checkout, with temporary state (removed at the end).');
  let stack: Stack;
  try {
    stack = await startStack(cleanup, SAMPLE_IMAGES, (line) =>
      narrate.say(line.startsWith('  ') ? `  ${line}` : `• ${line}`),
    );
  } catch (err) {
    narrate.fail('start the components', (err as Error).message);
    return { code: 1 };
  }
  if (options.stateFile) {
    const state = {
      tempDirs: [...(options.extraTempDirs ?? []), ...stack.tempDirs()],
      fluxdPid: stack.fluxd.pid,
    };
    await writeFile(options.stateFile, JSON.stringify(state));
  }
  narrate.ok('kube-apiserver, registry, git server and fluxd are up (image cache: files, no memcached)');

  const ctx: DemoContext = { stack, narrate };
  for (const step of STEPS) {
    narrate.heading(step.title);
    try {
      narrate.ok(await step.run(ctx));
    } catch (err) {
      const where = err instanceof DemoStepError ? err.step : step.name;
      narrate.fail(where, (err as Error).message);
      narrate.raw(
        `\nfluxd log (last lines, ${stack.fluxd.logFile}):\n${indent(await stack.fluxd.logTail(30))}`,
      );
      return { code: 1, stack };
    }
  }
  narrate.raw(`\nAll ${STEPS.length + 1} steps held, in ${seconds(Date.now() - started)}.\n`);
  narrate.raw(tryMore(stack));
  return { code: 0, stack };
}

/** The commands to go on with, against the running stack. */
export function tryMore(stack: Stack): string {
  const api = stack.apiUrl;
  const next = `${stack.registry.host}/${NEW_TAG.repo}:1.0.2`;
  return `
==> Everything is still running. Try, from the repository root:

    alias fluxctl='node packages/fluxctl/dist/bin/fluxctl.js'
    fluxctl --url ${api} list-workloads -n ${NAMESPACE}
    fluxctl --url ${api} list-images -n ${NAMESPACE} -w deployment/nightly
    fluxctl --url ${api} unlock -n ${NAMESPACE} -w deployment/frozen

    # push a newer tag: fluxd moves podinfo to it within seconds
    node packages/demo/dist/bin/demo.js push-tag ${next}

    KUBECONFIG=${stack.kube.kubeconfigPath} kubectl -n ${NAMESPACE} get deployments -o wide
    GIT_SSH_COMMAND='${stack.gitServer.sshCommand}' git clone ${stack.repo.sshUrl}

Press Ctrl-C to stop every process and remove every temp dir.
`;
}
