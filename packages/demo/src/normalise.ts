/**
 * Makes a demo transcript comparable across runs: ports (5 digits on 127.0.0.1, kept as `xxxxx`
 * so tables stay aligned), commit hashes, temporary directories, the ssh user, and durations become
 * placeholders. Colors are removed.
 */
export function normaliseTranscript(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI color sequences
      .replace(/\u001b\[[0-9;]*m/g, '')
      .replace(/(127\.0\.0\.1|localhost):\d{2,5}\b/g, (_m, host: string) => `${host}:xxxxx`)
      .replace(/ssh:\/\/[^@\s/]+@/g, 'ssh://<user>@')
      // Temporary directories (mkdtemp's 6-character suffix), wherever they are under /tmp.
      .replace(/\/tmp(\/[A-Za-z0-9._-]+)+/g, (path) =>
        path.replace(/\/[A-Za-z0-9._-]+-[A-Za-z0-9]{6}(?=\/|$)/g, '/<tmp>'),
      )
      .replace(/\b(in|after|took) \d+(\.\d+)?m?s\b/g, '$1 <t>')
      // A commit hash: 7 to 40 hex digits, at least one of them a digit (so words like "defaced" stay).
      .replace(/\b(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b/g, '<hash>')
      .replace(/[ \t]+$/gm, '')
  );
}
