import { fullNotesRef, type Mirror } from '@flux-ts/git';

/** A git note fluxd wrote on a commit: `{"jobID","spec","result"}`. */
export interface JobNote {
  jobID: string;
  spec: unknown;
  result: unknown;
}

function parseNote(text: string): JobNote | undefined {
  try {
    const note = JSON.parse(text) as Partial<JobNote>;
    return typeof note.jobID === 'string' ? (note as JobNote) : undefined;
  } catch {
    return undefined;
  }
}

const FIELD = '\x1f';
const RECORD = '\x1e';

/**
 * Notes of `notesRef` on the commits of `revs..head` (or every commit of `head` when `from` is
 * unset) touching the git paths, newest first: one `git log`, read from the mirror.
 */
export async function notesBetween(
  mirror: Mirror,
  notesRef: string,
  from: string | undefined,
  to: string,
  signal?: AbortSignal,
): Promise<{ revision: string; note: JobNote }[]> {
  const dir = mirror.dir();
  if (!dir) return [];
  const range = from ? `${from}..${to}` : to;
  const paths = mirror.paths.filter((p) => p !== '.');
  const out = await mirror.runner.run(
    [
      'log',
      `--notes=${fullNotesRef(notesRef)}`,
      `--format=%H${FIELD}%N${RECORD}`,
      range,
      '--',
      ...(paths.length > 0 ? paths : ['.']),
    ],
    { cwd: dir, ...(signal ? { signal } : {}) },
  );
  const found: { revision: string; note: JobNote }[] = [];
  for (const record of out.split(RECORD)) {
    const [revision, text] = record.trim().split(FIELD);
    if (!revision || !text?.trim()) continue;
    const note = parseNote(text.trim());
    if (note) found.push({ revision, note });
  }
  return found;
}

/** The commit (and its note) a job made, by scanning the notes on the branch's history. */
export async function findJobNote(
  mirror: Mirror,
  notesRef: string,
  jobId: string,
  signal?: AbortSignal,
): Promise<{ revision: string; note: JobNote } | undefined> {
  const head = await mirror.head(signal);
  return (await notesBetween(mirror, notesRef, undefined, head, signal)).find((n) => n.note.jobID === jobId);
}
