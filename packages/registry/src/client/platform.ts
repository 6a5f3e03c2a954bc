/** An OS/architecture[/variant] such as `linux/amd64` or `linux/arm64/v8`. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Parses `os/arch[/variant]`. */
export function parsePlatform(text: string): Platform {
  const [os = '', architecture = '', variant] = text.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** True when `candidate` runs on `wanted` (a wanted platform without a variant takes any variant). */
export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  return (
    wanted.os === candidate.os &&
    wanted.architecture === candidate.architecture &&
    (wanted.variant === undefined || wanted.variant === candidate.variant)
  );
}
