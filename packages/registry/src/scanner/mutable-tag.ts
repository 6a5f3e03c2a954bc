/**
 * True for a tag that plausibly moves to another image, so that the scanner re-checks it with a HEAD
 * every `--registry-cache-expiry`: a channel name, i.e. a tag without any digit (`latest`, `stable`,
 * `main`, `edge`, `bookworm`, `lts-alpine`), or one with a `latest` part (`amd64-latest`, as
 * linuxserver.io names its per-architecture channels). Every other tag is read once and kept.
 *
 * Why digits: the tags that registries hold by the thousand each name one build — a version
 * (`1.2.3`, `v2.0.0-rc.1`), a commit (`a1b2c3d`, `main-abc1234`, `sha-4f2e9c1`), a date
 * (`20240101-123456`) or a build number (`build-987`, `pr-1234`) — and all carry a digit (seven hex
 * characters without one happen about once in 960 commits). Floating tags that carry a digit
 * (`1.25`, `22-alpine`, `lts-alpine3.18`) are read once like the rest: automation needs tags that do
 * not move, as in Flux v1.
 */
export function isMutableTag(tag: string): boolean {
  return !/[0-9]/.test(tag) || tag.split(/[-_.]/).some((part) => part.toLowerCase() === 'latest');
}
