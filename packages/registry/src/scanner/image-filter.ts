/** A glob over canonical image names where `*` matches any run of characters (Flux v1's rule). */
export function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  const res = patterns
    .filter((p) => p.trim() !== '')
    .map(
      (p) =>
        new RegExp(
          `^${p
            .trim()
            .split('*')
            .map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
            .join('.*')}$`,
        ),
    );
  return (name) => res.some((re) => re.test(name));
}

/** Options of {@link imageFilter}: `--registry-include-image` and `--registry-exclude-image`. */
export interface ImageFilterOptions {
  /** Globs of canonical names to scan; empty or absent: all. */
  include?: readonly string[];
  /** Globs of canonical names never to scan (default in fluxd: `k8s.gcr.io/*`); exclusion wins. */
  exclude?: readonly string[];
}

/** Which repositories (canonical names, e.g. `index.docker.io/library/nginx`) the scanner reads. */
export function imageFilter(options: ImageFilterOptions): (canonicalName: string) => boolean {
  const include = options.include && options.include.length > 0 ? globMatcher(options.include) : () => true;
  const exclude = globMatcher(options.exclude ?? []);
  return (name) => include(name) && !exclude(name);
}
