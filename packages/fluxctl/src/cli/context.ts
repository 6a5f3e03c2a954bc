import type { Clock, FluxApi } from '@flux-ts/core';

/** Where fluxctl reads and writes: the process's streams in the binary, buffers in tests. */
export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /** Input for `release --interactive` (a TTY). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  /** Whether stdout is a terminal (progress dots vs plain lines). */
  isTTY?: boolean;
}

/** The persistent flags of every command (`flux-v1.md` §2.1), after the environment is applied. */
export interface GlobalOptions {
  url: string;
  token: string;
  k8sFwdNs: string;
  k8sFwdLabels: Record<string, string>;
  context: string;
  timeoutMs: number;
}

/** What a command runs with. */
export interface CommandContext {
  io: CliIO;
  globals: GlobalOptions;
  clock: Clock;
  /** Connects to fluxd (port-forwarding when there is no `--url`); closed by the runner. */
  api(): Promise<FluxApi>;
  /** The namespace workload arguments default to: the kubeconfig context's, else `default`. */
  defaultNamespace(): string;
  signal: AbortSignal;
  /** `-o/--output-format` of commands that print results: `tab` (Flux v1's text) or `json`. */
  output: 'tab' | 'json';
}
