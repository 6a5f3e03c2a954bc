import { describe, expect, it } from 'vitest';
import { normaliseTranscript } from './normalise.ts';

describe('normaliseTranscript', () => {
  it('replaces ports keeping the width, so tables stay aligned', () => {
    const text = 'demo:deployment/podinfo  127.0.0.1:46631/demo/podinfo:1.0.0  updating\n';
    const out = normaliseTranscript(text);
    expect(out).toBe('demo:deployment/podinfo  127.0.0.1:xxxxx/demo/podinfo:1.0.0  updating\n');
    expect(out.length).toBe(text.length);
    expect(normaliseTranscript('http://localhost:5000/x')).toBe('http://localhost:xxxxx/x');
  });

  it('replaces commit hashes, also all-digit ones, but not words or versions', () => {
    expect(normaliseTranscript('Commit pushed:\t4a30ac6\nRevision of main to apply is 1234567\n')).toBe(
      'Commit pushed:\t<hash>\nRevision of main to apply is <hash>\n',
    );
    expect(normaliseTranscript('8c67a5b Flux Demo: Auto-release 127.0.0.1:1234/demo/podinfo:1.0.1')).toBe(
      '<hash> Flux Demo: Auto-release 127.0.0.1:xxxxx/demo/podinfo:1.0.1',
    );
    expect(normaliseTranscript('defaced main-build-17 2.0.0 01 Mar 24 09:00 UTC')).toBe(
      'defaced main-build-17 2.0.0 01 Mar 24 09:00 UTC',
    );
  });

  it('replaces temporary directories at any depth, and the ssh user', () => {
    expect(
      normaliseTranscript(
        'ssh://root@127.0.0.1:42343/tmp/fts-git-0dlHat/repos/config.git\n' +
          'KUBECONFIG=/tmp/flux-ts-demo-root-GcMRFC/flux-ts-kube-DavWYQ/state/kubeconfig kubectl\n' +
          'log: /tmp/flux-ts-demo-RbUecX/fluxd-home/fluxd.log\n',
      ),
    ).toBe(
      'ssh://<user>@127.0.0.1:xxxxx/tmp/<tmp>/repos/config.git\n' +
        'KUBECONFIG=/tmp/<tmp>/<tmp>/state/kubeconfig kubectl\n' +
        'log: /tmp/<tmp>/fluxd-home/fluxd.log\n',
    );
  });

  it('replaces durations, strips colors and trailing blanks', () => {
    expect(
      normaliseTranscript(
        '\u001b[32m✓ pushed (in 0.9s)\u001b[0m   \nAll 9 steps held, in 34.6s.\nwithin 30s\n',
      ),
    ).toBe('✓ pushed (in <t>)\nAll 9 steps held, in <t>.\nwithin 30s\n');
  });
});
