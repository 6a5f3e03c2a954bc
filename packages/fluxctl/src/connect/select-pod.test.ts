import { FluxError } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import {
  AmbiguousPodError,
  DEFAULT_FORWARD_LABELS,
  FALLBACK_SELECTOR,
  labelSelector,
  NoFluxPodError,
  type PodLike,
  selectFluxPod,
} from './select-pod.ts';

const pod = (name: string, phase = 'Running'): PodLike => ({ metadata: { name }, status: { phase } });

describe('labelSelector', () => {
  it('renders the default as app=flux', () => {
    expect(labelSelector(DEFAULT_FORWARD_LABELS)).toBe('app=flux');
  });
  it('sorts keys and joins with commas', () => {
    expect(labelSelector({ release: 'flux', app: 'flux', 'app.kubernetes.io/name': 'x' })).toBe(
      'app=flux,app.kubernetes.io/name=x,release=flux',
    );
  });
  it('renders an empty map as the empty string', () => {
    expect(labelSelector({})).toBe('');
  });
});

describe('selectFluxPod', () => {
  it('picks the single Running pod of the first selector', () => {
    expect(selectFluxPod([{ selector: 'app=flux', pods: [pod('flux-1')] }], 'flux')).toEqual({
      pod: 'flux-1',
    });
  });

  it('ignores pods that are not Running', () => {
    const pods = [
      pod('a', 'Pending'),
      pod('b', 'Succeeded'),
      pod('c'),
      pod('d', 'Failed'),
      { metadata: { name: 'e' } },
    ];
    expect(selectFluxPod([{ selector: 'app=flux', pods }], 'default')).toEqual({ pod: 'c' });
  });

  it('falls back to the next selector when the first finds no Running pod', () => {
    const result = selectFluxPod(
      [
        { selector: 'app=flux', pods: [pod('old', 'Pending')] },
        { selector: FALLBACK_SELECTOR, pods: [pod('flux-7d9')] },
      ],
      'default',
    );
    expect(result).toEqual({ pod: 'flux-7d9' });
  });

  it('stops at the first selector that finds one', () => {
    const result = selectFluxPod(
      [
        { selector: 'app=flux', pods: [pod('helm-flux')] },
        { selector: FALLBACK_SELECTOR, pods: [pod('x'), pod('y')] },
      ],
      'default',
    );
    expect(result).toEqual({ pod: 'helm-flux' });
  });

  it('reports several Running pods for a selector as ambiguous, with Flux v1 message', () => {
    const run = () =>
      selectFluxPod([{ selector: 'app=flux', pods: [pod('a'), pod('b', 'Pending'), pod('c')] }], 'x');
    expect(run).toThrow(AmbiguousPodError);
    expect(run).toThrow(FluxError);
    try {
      run();
    } catch (err) {
      const e = err as AmbiguousPodError;
      expect(e.message).toBe('Ambiguous pod: found more than one pod for selector: labels "app=flux"');
      expect(e.selector).toBe('app=flux');
      expect(e.pods).toEqual(['a', 'c']);
      expect(e.code).toBe('fluxctl.connect.ambiguous-pod');
      expect(e.kind).toBe('user');
    }
  });

  it('reports ambiguity on the fallback selector too', () => {
    expect(() =>
      selectFluxPod(
        [
          { selector: 'app=flux', pods: [] },
          { selector: FALLBACK_SELECTOR, pods: [pod('a'), pod('b')] },
        ],
        'default',
      ),
    ).toThrow(
      'Ambiguous pod: found more than one pod for selector: labels "name in (flux,fluxd,weave-flux-agent)"',
    );
  });

  it('gives Flux v1 exact message when no selector finds a Running pod', () => {
    let caught: unknown;
    try {
      selectFluxPod(
        [
          { selector: 'app=flux', pods: [pod('p', 'Pending')] },
          { selector: FALLBACK_SELECTOR, pods: [] },
        ],
        'flux-system',
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NoFluxPodError);
    const e = caught as NoFluxPodError;
    expect(e.message).toBe(
      'No pod found in namespace "flux-system" using the following selectors:\n' +
        '  app=flux\n' +
        '  name in (flux,fluxd,weave-flux-agent)\n' +
        '\n' +
        'Make sure Flux is running in namespace "flux-system".\n' +
        'If Flux is running in another different namespace, please supply it to --k8s-fwd-ns.',
    );
    expect(e.namespace).toBe('flux-system');
    expect(e.selectors).toEqual(['app=flux', FALLBACK_SELECTOR]);
    expect(e.code).toBe('fluxctl.connect.no-pod');
    expect(e.kind).toBe('missing');
  });

  it('names the custom selector in the no-pod message', () => {
    expect(() =>
      selectFluxPod(
        [
          { selector: 'app=fluxd,team=ops', pods: [] },
          { selector: FALLBACK_SELECTOR, pods: [] },
        ],
        'default',
      ),
    ).toThrow(/selectors:\n {2}app=fluxd,team=ops\n {2}name in \(flux,fluxd,weave-flux-agent\)\n\n/);
  });

  it('lists only the selectors tried', () => {
    expect(() => selectFluxPod([], 'default')).toThrow(
      'No pod found in namespace "default" using the following selectors:\n\nMake sure',
    );
  });
});
