import { describe, expect, it } from 'vitest';
import { ErrorKind, FluxError, isFluxError } from './errors.ts';

class ManifestParseError extends FluxError {}

describe('FluxError', () => {
  it('carries code, kind, help and cause, and names the subclass', () => {
    const cause = new Error('bad indentation');
    const err = new ManifestParseError('deploy.yaml:3: cannot parse', {
      code: 'manifest.parse',
      kind: ErrorKind.User,
      help: 'Fix the YAML at the line shown.',
      cause,
    });

    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ManifestParseError');
    expect(err).toMatchObject({
      code: 'manifest.parse',
      kind: 'user',
      help: 'Fix the YAML at the line shown.',
    });
    expect(err.cause).toBe(cause);
    expect(isFluxError(err)).toBe(true);
    expect(isFluxError(new Error('plain'))).toBe(false);
  });
});
