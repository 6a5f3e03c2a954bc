import { describe, expect, it } from 'vitest';
import { KeyDecoder, MenuKey } from './keys.ts';

const decode = (...chunks: string[]): MenuKey[] => {
  const d = new KeyDecoder();
  return chunks.flatMap((c) => d.push(c));
};

describe('KeyDecoder', () => {
  it('decodes single keys', () => {
    expect(decode(' ', '\r', '\n', '\t', 'j', 'k', 'q', '\x03', '\x1b')).toEqual([
      MenuKey.Toggle,
      MenuKey.Submit,
      MenuKey.Submit,
      MenuKey.Down,
      MenuKey.Down,
      MenuKey.Up,
      MenuKey.Abort,
      MenuKey.Abort,
      MenuKey.Abort,
    ]);
  });

  it('decodes CSI and SS3 arrows, ignoring left/right and other sequences', () => {
    expect(
      decode('\x1b[A', '\x1b[B', '\x1bOA', '\x1bOB', '\x1b[C', '\x1b[D', '\x1b[1;5A', '\x1b[3~'),
    ).toEqual([MenuKey.Up, MenuKey.Down, MenuKey.Up, MenuKey.Down]);
  });

  it('decodes several keys in one chunk and ignores other characters', () => {
    expect(decode('\x1b[B x\x1b[A\r')).toEqual([MenuKey.Down, MenuKey.Toggle, MenuKey.Up, MenuKey.Submit]);
  });

  it('completes a sequence split across chunks', () => {
    expect(decode('\x1b[', 'B')).toEqual([MenuKey.Down]);
    expect(decode('j\x1b', '[A')).toEqual([MenuKey.Down, MenuKey.Abort]); // ESC ending a read is Esc
  });

  it('ignores Alt+key and recovers from a malformed sequence', () => {
    expect(decode('\x1bq')).toEqual([]);
    expect(decode('\x1b[\r')).toEqual([MenuKey.Submit]);
  });
});
