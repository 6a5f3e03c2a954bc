import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect } from 'vitest';

/** A secret a test used, with a label for failure messages (the value itself is never printed). */
export interface Secret {
  name: string;
  value: string;
}

/**
 * The pieces of a PEM/OpenSSH private key that must never leak: its first and last lines, and each
 * line of its base64 body (a leak of any one line is a leak), plus the body joined on one line (as
 * JSON-escaped or unwrapped text would carry it).
 */
export function privateKeySecrets(name: string, pem: string): Secret[] {
  const lines = pem
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const body = lines.filter((l) => !l.startsWith('-----'));
  const out: Secret[] = [];
  const first = lines[0];
  const last = lines.at(-1);
  // The BEGIN/END lines are the same for every key of a type: they mark that key material leaked.
  if (first) out.push({ name: `${name} (first line)`, value: first });
  if (last && last !== first) out.push({ name: `${name} (last line)`, value: last });
  body.forEach((line, i) => {
    // Short lines (the tail of the base64, e.g. "AAAA==") would match by chance.
    if (line.length >= 16) out.push({ name: `${name} (base64 line ${i + 1})`, value: line });
  });
  if (body.length > 1) out.push({ name: `${name} (base64 body)`, value: body.join('') });
  return out;
}

/** Where each secret occurs in `text`: `[secret name, line number]`. */
export function findSecrets(text: string, secrets: readonly Secret[]): { name: string; line: number }[] {
  const found: { name: string; line: number }[] = [];
  const lines = text.split('\n');
  for (const secret of secrets) {
    if (secret.value === '') throw new Error(`secret ${secret.name} is empty: it would match everything`);
    // JSON logs escape `\n`, `"` and `\`: look for the escaped form too.
    const forms = new Set([secret.value, JSON.stringify(secret.value).slice(1, -1)]);
    lines.forEach((line, i) => {
      for (const form of forms) {
        if (line.includes(form)) {
          found.push({ name: secret.name, line: i + 1 });
          return;
        }
      }
    });
  }
  return found;
}

/**
 * Fails when any secret occurs in `text`, naming the secret (never its value) and the line of
 * `where` (a log file, a response body) it was found on.
 */
export function expectNoSecretsIn(text: string, secrets: readonly Secret[], where: string): void {
  const found = findSecrets(text, secrets).map((f) => `${f.name} in ${where}:${f.line}`);
  expect(found, `secrets leaked into ${where}`).toEqual([]);
}

/** A log file a test produced: its path (relative to the directory searched) and text. */
export interface LogFile {
  path: string;
  text: string;
}

/**
 * Every `*.log` file under `dir`, recursively: the fixture writes `<env.tmp.path>/<name>.log` for
 * each fluxd it starts, and components may write theirs beside. Unreadable entries are skipped.
 */
export async function collectLogs(dir: string): Promise<LogFile[]> {
  const out: LogFile[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.endsWith('.log')) {
        const text = await readFile(path, 'utf8').catch(() => undefined);
        if (text !== undefined) out.push({ path: relative(dir, path), text });
      }
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** {@link expectNoSecretsIn} over every log file under `dir`; returns the files scanned. */
export async function expectNoSecretsInLogs(dir: string, secrets: readonly Secret[]): Promise<LogFile[]> {
  const logs = await collectLogs(dir);
  const found = logs.flatMap((log) =>
    findSecrets(log.text, secrets).map((f) => `${f.name} in ${log.path}:${f.line}`),
  );
  expect(found, `secrets leaked into the logs under ${dir}`).toEqual([]);
  return logs;
}
