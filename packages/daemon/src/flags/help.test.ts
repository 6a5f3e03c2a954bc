import { describe, expect, it } from 'vitest';
import { FLAG_DEFINITIONS, FLAG_GROUPS } from './flag-definitions.ts';
import { flagReferenceMarkdown, fluxdHelp } from './help.ts';

describe('fluxdHelp', () => {
  const help = fluxdHelp();

  it('starts with the usage line', () => {
    expect(help.split('\n')[0]).toBe('Usage: fluxd [flags]');
  });

  it.each(FLAG_DEFINITIONS.map((def) => [def.name, def] as const))(
    'mentions --%s and its aliases',
    (name, def) => {
      expect(help).toMatch(new RegExp(`--${name}\\b`));
      for (const alias of def.aliases) {
        expect(help).toContain(alias.name.length === 1 ? `-${alias.name}, --${name}` : `--${alias.name}`);
      }
    },
  );

  it('shows each group once, in order', () => {
    const headings = help.split('\n').filter((line) => /^\S.*:$/.test(line));
    expect(headings).toEqual(FLAG_GROUPS.map((g) => `${g}:`));
  });

  it('shows defaults', () => {
    expect(help).toMatch(/-l, --listen string +.*\(default ":3030"\)/);
    expect(help).toMatch(/--registry-rps float +.*\(default 200\)/);
    expect(help).toMatch(/--git-poll-interval duration +.*\(default 5m\)/);
    expect(help).toMatch(/--registry-exclude-image strings +.*\(default \[k8s\.gcr\.io\/\*\]\)/);
  });

  it('marks deprecated flags', () => {
    expect(help).toMatch(/--kube-config string .*deprecated: use the KUBECONFIG/);
    expect(help).toMatch(/--automation-interval duration .*alias --registry-poll-interval, deprecated/);
  });
});

describe('flagReferenceMarkdown', () => {
  const markdown = flagReferenceMarkdown();

  it('has one table per group', () => {
    expect(markdown.match(/^### .*$/gm)).toEqual(FLAG_GROUPS.map((g) => `### ${g}`));
    expect(markdown.match(/^\| Flag \| Type \| Default \| Description \|$/gm)).toHaveLength(
      FLAG_GROUPS.length,
    );
  });

  it.each(FLAG_DEFINITIONS.map((def) => [def.name, def] as const))('has a row for --%s', (name, def) => {
    const row = markdown.split('\n').find((line) => line.startsWith(`| \`--${name}\``));
    expect(row).toBeDefined();
    for (const alias of def.aliases) {
      expect(row).toContain(alias.name.length === 1 ? `\`-${alias.name}\`` : `\`--${alias.name}\``);
    }
    expect(row).toContain(`| ${def.type} |`);
  });

  it('writes defaults as code', () => {
    expect(markdown).toContain('| `--registry-rps` | number | `200` |');
    expect(markdown).toContain('| `--git-url` | string | `""` |');
    expect(markdown).toContain('| `--git-path` | string-list | `[]` |');
    expect(markdown).toContain('| `--ssh-keygen-bits` | number | unset |');
  });

  it('is stable', () => {
    expect(flagReferenceMarkdown()).toBe(markdown);
  });
});
