/**
 * Removes credentials from a git remote URL so it can appear in logs and errors:
 * `https://user:token@host/repo.git` → `https://user:***@host/repo.git`. scp-like and file URLs
 * carry no secret and come back unchanged.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@:]*):([^/@]*)@/i, (_m, scheme: string, user: string) => {
    return `${scheme}${user}:***@`;
  });
}

/** Replaces every credential-bearing URL inside free text (git's stderr, say) with its redacted form. */
export function redactText(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (u) => redactUrl(u));
}
