import { describe, expect, it } from 'vitest';
import { ConfigMode, type FluxYamlConfig, parseFluxYaml, parseGoDuration } from './config.ts';
import { FluxYamlError } from './errors.ts';

const file = 'staging/.flux.yaml';

function parseError(text: string): FluxYamlError {
  try {
    parseFluxYaml(text, { file });
  } catch (err) {
    if (err instanceof FluxYamlError) return err;
    throw err;
  }
  throw new Error('expected a FluxYamlError');
}

describe('parseGoDuration', () => {
  it.each`
    input       | ms
    ${'0'}      | ${0}
    ${'90s'}    | ${90_000}
    ${'1m30s'}  | ${90_000}
    ${'1.5h'}   | ${5_400_000}
    ${'300ms'}  | ${300}
    ${'2h45m'}  | ${9_900_000}
    ${'-2s'}    | ${-2000}
    ${'+5s'}    | ${5000}
    ${'1500us'} | ${1.5}
    ${'1500µs'} | ${1.5}
    ${'1e3ns'}  | ${undefined}
    ${'10'}     | ${undefined}
    ${''}       | ${undefined}
    ${'1d'}     | ${undefined}
    ${'s'}      | ${undefined}
    ${'1m 30s'} | ${undefined}
    ${'.s'}     | ${undefined}
  `('$input → $ms', ({ input, ms }: { input: string; ms: number | undefined }) => {
    expect(parseGoDuration(input)).toBe(ms);
  });
});

describe('parseFluxYaml', () => {
  it.each<{ name: string; text: string; expected: FluxYamlConfig }>([
    {
      name: 'commandUpdated with generators and updaters',
      text: `version: 1
commandUpdated:
  generators:
    - command: kustomize build .
      timeout: 90s
    - command: cat extra.yaml
  updaters:
    - containerImage:
        command: kustomize edit set image $FLUX_IMG:$FLUX_TAG
      policy:
        command: ./set-policy.sh
        timeout: 500ms
    - policy:
        command: ./also.sh
`,
      expected: {
        mode: ConfigMode.CommandUpdated,
        generators: [
          { command: 'kustomize build .', timeoutMs: 90_000 },
          { command: 'cat extra.yaml', timeoutMs: 60_000 },
        ],
        updaters: [
          {
            containerImage: { command: 'kustomize edit set image $FLUX_IMG:$FLUX_TAG', timeoutMs: 60_000 },
            policy: { command: './set-policy.sh', timeoutMs: 60_000 },
          },
          { policy: { command: './also.sh', timeoutMs: 60_000 } },
        ],
      },
    },
    {
      name: 'commandUpdated without updaters',
      text: 'version: 1\ncommandUpdated:\n  generators: [{command: echo}]\n',
      expected: {
        mode: ConfigMode.CommandUpdated,
        generators: [{ command: 'echo', timeoutMs: 60_000 }],
        updaters: [],
      },
    },
    {
      name: 'patchUpdated',
      text: 'version: 1\npatchUpdated:\n  generators:\n  - command: kustomize build .\n    timeout: 2m\n  patchFile: flux-patch.yaml\n',
      expected: {
        mode: ConfigMode.PatchUpdated,
        generators: [{ command: 'kustomize build .', timeoutMs: 120_000 }],
        patchFile: 'flux-patch.yaml',
      },
    },
    {
      name: 'scanForFiles: {}',
      text: 'version: 1\nscanForFiles: {}\n',
      expected: { mode: ConfigMode.ScanForFiles },
    },
    {
      name: 'scanForFiles with no value',
      text: 'version: 1\nscanForFiles:\n',
      expected: { mode: ConfigMode.ScanForFiles },
    },
  ])('reads $name', ({ text, expected }) => {
    const config = parseFluxYaml(text, { file });

    expect(config).toEqual(expected);
  });

  it('uses the given default timeout, and ignores timeouts under one second', () => {
    const text = `version: 1
commandUpdated:
  generators:
  - {command: a}
  - {command: b, timeout: 999ms}
  - {command: c, timeout: 1s}
  - {command: d, timeout: "0"}
  - {command: e, timeout: -5m}
`;

    const config = parseFluxYaml(text, { file, defaultTimeoutMs: 30_000 });

    expect(config.mode === ConfigMode.CommandUpdated && config.generators.map((g) => g.timeoutMs)).toEqual([
      30_000, 30_000, 1000, 30_000, 30_000,
    ]);
  });

  it.each`
    name                              | text                                                                                       | message
    ${'version 2'}                    | ${'version: 2\nscanForFiles: {}\n'}                                                        | ${'staging/.flux.yaml:1:10: invalid .flux.yaml: version must be 1'}
    ${'version as a string'}          | ${'version: "1"\nscanForFiles: {}\n'}                                                      | ${'staging/.flux.yaml:1:10: invalid .flux.yaml: version must be 1'}
    ${'no version'}                   | ${'scanForFiles: {}\n'}                                                                    | ${'staging/.flux.yaml:1:1: invalid .flux.yaml: version is required'}
    ${'no mode'}                      | ${'version: 1\n'}                                                                          | ${'staging/.flux.yaml: invalid .flux.yaml: the file needs one of commandUpdated, patchUpdated or scanForFiles'}
    ${'two modes'}                    | ${'version: 1\nscanForFiles: {}\npatchUpdated: {generators: [], patchFile: p.yaml}\n'}     | ${'staging/.flux.yaml: invalid .flux.yaml: the file has patchUpdated and scanForFiles; use exactly one of them'}
    ${'an unknown top-level key'}     | ${'version: 1\nscanForFiles: {}\nscanForFile: {}\n'}                                       | ${'staging/.flux.yaml:3:1: invalid .flux.yaml: unknown field "scanForFile"'}
    ${'an unknown key in a command'}  | ${'version: 1\ncommandUpdated:\n  generators:\n  - command: a\n    cmd: b\n'}              | ${'staging/.flux.yaml:5:5: invalid .flux.yaml: unknown field "cmd" in commandUpdated.generators[0]'}
    ${'an unknown key in an updater'} | ${'version: 1\ncommandUpdated:\n  generators: []\n  updaters:\n  - image: {command: x}\n'} | ${'staging/.flux.yaml:5:5: invalid .flux.yaml: unknown field "image" in commandUpdated.updaters[0]'}
    ${'a command that is a number'}   | ${'version: 1\ncommandUpdated:\n  generators:\n  - command: 42\n'}                         | ${'staging/.flux.yaml:4:14: invalid .flux.yaml: commandUpdated.generators[0].command must be a string'}
    ${'an empty command'}             | ${'version: 1\ncommandUpdated:\n  generators:\n  - command: ""\n'}                         | ${'staging/.flux.yaml:4:14: invalid .flux.yaml: commandUpdated.generators[0].command must not be empty'}
    ${'no generators'}                | ${'version: 1\npatchUpdated:\n  patchFile: p.yaml\n'}                                      | ${'staging/.flux.yaml:3:3: invalid .flux.yaml: patchUpdated.generators is required'}
    ${'no patchFile'}                 | ${'version: 1\npatchUpdated:\n  generators: []\n'}                                         | ${'staging/.flux.yaml:3:3: invalid .flux.yaml: patchUpdated.patchFile is required'}
    ${'a bad timeout'}                | ${'version: 1\ncommandUpdated:\n  generators:\n  - {command: a, timeout: 5 minutes}\n'}    | ${'staging/.flux.yaml:4:27: invalid .flux.yaml: commandUpdated.generators[0].timeout is not a duration (write e.g. "90s", "2m" or "1m30s")'}
    ${'a timeout that is a number'}   | ${'version: 1\ncommandUpdated:\n  generators:\n  - {command: a, timeout: 30}\n'}           | ${'staging/.flux.yaml:4:27: invalid .flux.yaml: commandUpdated.generators[0].timeout must be a duration string such as "90s" or "2m"'}
    ${'scanForFiles with keys'}       | ${'version: 1\nscanForFiles: {paths: [a]}\n'}                                              | ${'staging/.flux.yaml:2:16: invalid .flux.yaml: unknown field "paths" in scanForFiles'}
    ${'a list'}                       | ${'- version: 1\n'}                                                                        | ${'staging/.flux.yaml: invalid .flux.yaml: the file must be a map with version: 1 and one of commandUpdated, patchUpdated or scanForFiles'}
    ${'an empty file'}                | ${''}                                                                                      | ${'staging/.flux.yaml: invalid .flux.yaml: the file is empty; it needs version: 1 and one of commandUpdated, patchUpdated or scanForFiles'}
  `(
    'rejects $name, naming the file and the problem',
    ({ text, message }: { text: string; message: string }) => {
      const err = parseError(text);

      expect(err.message).toBe(message);
      expect(err.code).toBe('flux-yaml.invalid');
      expect(err.kind).toBe('user');
      expect(err.help).toMatch(/version: 1/);
    },
  );

  it('reports every schema problem at once', () => {
    const err = parseError('version: 3\nfoo: 1\ncommandUpdated: {generators: [{}]}\n');

    expect(err.problems).toEqual([
      'version must be 1',
      'commandUpdated.generators[0].command is required',
      'unknown field "foo"',
    ]);
    expect(err.line).toBe(1);
  });

  it.each`
    name                  | text                                                                   | line | column | problem
    ${'bad indentation'}  | ${'version: 1\ncommandUpdated:\n  generators:\n - command: a\n   x\n'} | ${3} | ${14}  | ${/^not valid YAML: A block sequence may not be used as an implicit map key/}
    ${'an unclosed flow'} | ${'version: 1\nscanForFiles: {\n'}                                     | ${3} | ${1}   | ${/^not valid YAML: /}
    ${'a duplicate key'}  | ${'version: 1\nversion: 1\nscanForFiles: {}\n'}                        | ${2} | ${1}   | ${/^not valid YAML: Map keys must be unique/}
    ${'two documents'}    | ${'version: 1\nscanForFiles: {}\n---\nversion: 1\n'}                   | ${3} | ${1}   | ${/^not valid YAML: more than one YAML document/}
  `(
    'gives line and column when the YAML does not parse ($name)',
    ({ text, line, column, problem }: { text: string; line: number; column: number; problem: RegExp }) => {
      const err = parseError(text);

      expect({ file: err.file, line: err.line, column: err.column }).toEqual({ file, line, column });
      expect(err.message.startsWith(`${file}:${line}:${column}: invalid .flux.yaml: not valid YAML: `)).toBe(
        true,
      );
      expect(err.problems[0]).toMatch(problem);
    },
  );
});
