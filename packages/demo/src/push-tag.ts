import { pushImage } from '@flux-ts/testkit';

/** Splits `host:port/repo/path:tag`; undefined when it is not of that shape. */
export function parseImageRef(ref: string): { host: string; repo: string; tag: string } | undefined {
  const m = /^([^/]+)\/(.+):([\w][\w.-]{0,127})$/.exec(ref);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { host: m[1], repo: m[2], tag: m[3] };
}

/** Pushes a small synthetic image as `ref` to a plain-HTTP registry, created now. */
export async function pushTagTo(ref: string, created: Date = new Date()): Promise<string> {
  const parsed = parseImageRef(ref);
  if (!parsed) throw new Error(`not an image reference with a registry host and a tag: ${ref}`);
  const pushed = await pushImage(
    { url: `http://${parsed.host}` },
    { repo: parsed.repo, tag: parsed.tag, created },
  );
  return pushed.digest;
}
