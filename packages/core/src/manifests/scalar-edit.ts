import { CST, isAlias, isScalar, type Node, parse, Scalar } from 'yaml';
import { UnsupportedEditError } from './errors.ts';

/** True when `value`, written as a plain scalar, would read back as the same string. */
export function safeAsPlain(value: string): boolean {
  if (value === '' || value.trim() !== value) return false;
  // The common case without a parse: a word with a letter, of characters that never start syntax,
  // that is not a YAML 1.1 boolean or null (image references, tags, policy values).
  if (
    /^[A-Za-z0-9_][A-Za-z0-9._/:@+-]*$/.test(value) &&
    /[A-Za-z]/.test(value) &&
    Number.isNaN(Number(value))
  ) {
    return (
      !/^(true|false|yes|no|on|off|y|n|null)$/i.test(value) &&
      !/^0x[0-9a-f]+$|^0o[0-7]+$|^[-+]?\.?(inf|nan)$/i.test(value)
    );
  }
  try {
    return parse(`k: ${value}\n`)?.k === value;
  } catch {
    return false;
  }
}

/**
 * Changes the source of one scalar node in place (its CST token), keeping its quote style; a plain
 * scalar whose new value would not read back as that string (`true`, `1.10`) becomes single-quoted.
 */
export function setScalar(node: Node | undefined, value: string, where: string): void {
  if (isAlias(node)) {
    throw new UnsupportedEditError(
      `${where} is an alias (*${node.source}); flux-ts does not edit through aliases`,
      'Write the value in place of the alias, then retry.',
    );
  }
  if (!isScalar(node) || !node.srcToken) {
    throw new UnsupportedEditError(
      `${where} is not a scalar value`,
      'Make it a plain string value, then retry.',
    );
  }
  const token = node.srcToken;
  if (token.type === 'block-scalar' && !value.includes('\n')) {
    // Keep the header and the content's own indentation (the library re-indents to the parent's).
    const lines = token.source.split(/(?<=\n)/);
    const first = lines.findIndex((l) => l.trim() !== '');
    const line = lines[first] ?? '';
    const indent = /^ */.exec(line)?.[0] ?? '';
    const eol = /\r?\n$/.exec(line)?.[0] ?? '';
    const trailing = lines.slice(first + 1).filter((l) => l.trim() === '');
    token.source = [...lines.slice(0, Math.max(first, 0)), `${indent}${value}${eol}`, ...trailing].join('');
    return;
  }
  const type = node.type === Scalar.PLAIN && !safeAsPlain(value) ? Scalar.QUOTE_SINGLE : undefined;
  CST.setScalarValue(token, value, type ? { type } : {});
}
