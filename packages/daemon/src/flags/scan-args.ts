import { type FlagDefinition, findFlag, longFlagSpellings } from './flag-definitions.ts';
import { suggest } from './suggest.ts';

/** One flag occurrence on the command line. */
export interface FlagOccurrence {
  readonly definition: FlagDefinition;
  /** The spelling used, without dashes (`git-url`, `l`, `registry-poll-interval`). */
  readonly spelling: string;
}

export type ScanResult =
  | { readonly ok: true; readonly occurrences: readonly FlagOccurrence[]; readonly help: boolean }
  | { readonly ok: false; readonly message: string; readonly help: boolean };

const BOOLEAN_TEXT = new Set(['true', 'false']);

/** A token that reads as a flag rather than a value (`-5` and `-.5` are values). */
function looksLikeFlag(token: string): boolean {
  return /^-[^\d.]/.test(token);
}

function unknownLong(name: string): string {
  const hint = suggest(name, longFlagSpellings());
  return `unknown flag: --${name}${hint === undefined ? '' : ` (did you mean --${hint}?)`}`;
}

function unknownShort(name: string): string {
  const hint = name.length < 2 ? undefined : findFlag(name) ? name : suggest(name, longFlagSpellings());
  return `unknown shorthand flag: -${name}${hint === undefined ? '' : ` (did you mean --${hint}?)`}`;
}

/**
 * Checks the shape of the command line the way pflag would, before yargs extracts the values:
 * every flag is known, every non-boolean flag has a value, boolean values are `true` or `false`,
 * and there are no positional arguments. Records which flags were given, with which spelling, in
 * command-line order. `help` is true when `--help`/`-h` appears anywhere before `--`.
 */
export function scanArgs(argv: readonly string[]): ScanResult {
  const occurrences: FlagOccurrence[] = [];
  let help = false;
  let error: string | undefined;
  const fail = (message: string): void => {
    error ??= message;
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      if (i + 1 < argv.length)
        fail(`unexpected argument: ${JSON.stringify(argv[i + 1])} (fluxd takes only flags)`);
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      fail(`unexpected argument: ${JSON.stringify(token)} (fluxd takes only flags)`);
      continue;
    }
    const long = token.startsWith('--');
    const body = token.slice(long ? 2 : 1);
    const eq = body.indexOf('=');
    const spelling = eq === -1 ? body : body.slice(0, eq);
    const inlineValue = eq === -1 ? undefined : body.slice(eq + 1);
    const definition = findFlag(spelling);
    if (definition === undefined || long !== spelling.length > 1) {
      fail(long ? unknownLong(spelling) : unknownShort(spelling));
      continue;
    }
    const display = `${long ? '--' : '-'}${spelling}`;
    if (definition.name === 'help' && inlineValue !== 'false') help = true;
    occurrences.push({ definition, spelling });

    if (definition.type === 'boolean') {
      if (inlineValue !== undefined && !BOOLEAN_TEXT.has(inlineValue)) {
        fail(`invalid argument ${JSON.stringify(inlineValue)} for ${display}: must be true or false`);
      } else if (inlineValue === undefined && BOOLEAN_TEXT.has(argv[i + 1] ?? '')) {
        i++; // `--flag false`, as yargs reads it
      }
      continue;
    }
    if (inlineValue !== undefined) continue;
    const next = argv[i + 1];
    if (next === undefined || looksLikeFlag(next)) {
      fail(`flag needs an argument: ${display}`);
      continue;
    }
    i++;
  }
  return error === undefined ? { ok: true, occurrences, help } : { ok: false, message: error, help };
}
