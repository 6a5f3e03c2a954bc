import { FLAG_DEFINITIONS, FLAG_GROUPS, type FlagDefinition } from './flag-definitions.ts';

const USAGE = 'Usage: fluxd [flags]';
const DESCRIPTION =
  'fluxd syncs a git repository to a Kubernetes cluster and updates the images of automated workloads.';

function valueName(def: FlagDefinition): string {
  switch (def.type) {
    case 'boolean':
      return '';
    case 'number':
      return def.integer ? 'int' : 'float';
    case 'string-list':
      return 'strings';
    default:
      return def.type;
  }
}

/** The default as the help text shows it, or `undefined` when there is nothing worth showing. */
function helpDefault(def: FlagDefinition): string | undefined {
  if (def.defaultText !== undefined) return def.defaultText;
  switch (def.type) {
    case 'boolean':
      return def.default ? 'true' : undefined;
    case 'string':
      return def.default === undefined || def.default === '' ? undefined : JSON.stringify(def.default);
    case 'string-list':
      return def.default.length === 0 ? undefined : `[${def.default.join(',')}]`;
    default:
      return def.default === undefined ? undefined : String(def.default);
  }
}

/** The default as the markdown reference shows it. */
function markdownDefault(def: FlagDefinition): string {
  if (def.defaultText !== undefined) return def.defaultText;
  switch (def.type) {
    case 'string':
      return def.default === undefined ? 'unset' : def.default === '' ? '`""`' : `\`${def.default}\``;
    case 'string-list':
      return def.default.length === 0 ? '`[]`' : `\`${def.default.join(',')}\``;
    default:
      return def.default === undefined ? 'unset' : `\`${String(def.default)}\``;
  }
}

function longAliases(def: FlagDefinition): string[] {
  return def.aliases.filter((a) => a.name.length > 1).map((a) => a.name);
}

function notes(def: FlagDefinition): string[] {
  const result: string[] = [];
  for (const alias of def.aliases) {
    if (alias.name.length === 1) continue;
    result.push(`alias --${alias.name}${alias.deprecated === undefined ? '' : ', deprecated'}`);
  }
  if (def.deprecated !== undefined) result.push(`deprecated: ${def.deprecated}`);
  return result;
}

function flagsIn(group: string): FlagDefinition[] {
  return FLAG_DEFINITIONS.filter((def) => def.group === group);
}

/** fluxd's `--help` text: the usage line, then every flag by group with its default. */
export function fluxdHelp(): string {
  const rows = FLAG_DEFINITIONS.map((def) => {
    const short = def.aliases.find((a) => a.name.length === 1);
    const value = valueName(def);
    const left = `  ${short === undefined ? '    ' : `-${short.name}, `}--${def.name}${value === '' ? '' : ` ${value}`}`;
    const fallback = helpDefault(def);
    const extra = [...(fallback === undefined ? [] : [`default ${fallback}`]), ...notes(def)];
    const right = `${def.description}${extra.length === 0 ? '' : ` (${extra.join('; ')})`}`;
    return { def, left, right };
  });
  const width = Math.max(...rows.map((r) => r.left.length)) + 3;
  const lines = [USAGE, '', DESCRIPTION];
  for (const group of FLAG_GROUPS) {
    const inGroup = rows.filter((r) => r.def.group === group);
    if (inGroup.length === 0) continue;
    lines.push('', `${group}:`);
    for (const row of inGroup) lines.push(`${row.left.padEnd(width)}${row.right}`);
  }
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/**
 * The flag reference in markdown: one table per group, generated from the same definitions as
 * the help text, so the README copy can be checked against it.
 */
export function flagReferenceMarkdown(): string {
  const sections: string[] = [];
  for (const group of FLAG_GROUPS) {
    const defs = flagsIn(group);
    if (defs.length === 0) continue;
    const lines = [
      `### ${group}`,
      '',
      '| Flag | Type | Default | Description |',
      '| --- | --- | --- | --- |',
    ];
    for (const def of defs) {
      const spellings = [
        `\`--${def.name}\``,
        ...def.aliases.filter((a) => a.name.length === 1).map((a) => `\`-${a.name}\``),
        ...longAliases(def).map((name) => `\`--${name}\``),
      ].join(', ');
      const description = [def.description, ...notes(def)].join('; ');
      lines.push(`| ${spellings} | ${def.type} | ${cell(markdownDefault(def))} | ${cell(description)} |`);
    }
    sections.push(lines.join('\n'));
  }
  return `${sections.join('\n\n')}\n`;
}
