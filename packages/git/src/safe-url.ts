/**
 * Flux v1's "safe URL" of a git remote: scp-like `user@host:path` becomes `ssh://user@host/path` and
 * any password is dropped (`https://user:pw@host/r` → `https://user@host/r`). It names the sync set
 * (the garbage-collection mark), so it must match Flux v1 byte for byte, and it is what the API shows.
 */
export function safeGitUrl(url: string): string {
  const scp = /^(?:([^@/:]+)@)?([^/:]+):(?!\/\/)(.*)$/.exec(url);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const [, user, host, path] = scp;
    return `ssh://${user ? `${user}@` : ''}${host}/${(path ?? '').replace(/^\/+/, '')}`;
  }
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@:]*):[^/@]*@/i, '$1$2@');
}
