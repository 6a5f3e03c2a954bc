import { Composer, CST, type Document, LineCounter, Parser } from 'yaml';
import type { SourcePosition } from './errors.ts';

/**
 * A YAML stream kept as CST tokens and composed documents that point back at those tokens
 * (`keepSourceTokens`), so scalars can be changed in place and the text rebuilt byte for byte.
 */
export interface YamlSource {
  readonly file: string;
  readonly text: string;
  readonly tokens: CST.Token[];
  readonly documents: Document.Parsed[];
  position(offset: number): SourcePosition;
  /** The text rebuilt from the tokens: equal to `text` until a token is changed. */
  stringify(): string;
}

/** Parses a YAML stream for reading and for byte-preserving edits. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const documents = [
    ...new Composer({ keepSourceTokens: true, prettyErrors: false, merge: true, uniqueKeys: false }).compose(
      tokens,
      false,
      text.length,
    ),
  ];
  return {
    file,
    text,
    tokens,
    documents,
    position(offset) {
      const { line, col } = lineCounter.linePos(offset);
      return { file, line, column: col };
    },
    stringify: () => tokens.map((t) => CST.stringify(t)).join(''),
  };
}
