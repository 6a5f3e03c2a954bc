import { describe, expect, it } from 'vitest';
import { buildGitEnv, buildSshCommand } from './git-factory.ts';

describe('buildSshCommand', () => {
  it.each`
    opts                                                                                          | command
    ${{}}                                                                                         | ${undefined}
    ${{ sshKeyFile: '/etc/fluxd/ssh/identity' }}                                                  | ${'ssh -i /etc/fluxd/ssh/identity -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o LogLevel=ERROR'}
    ${{ sshKeyFile: '/k', knownHostsFile: '/kh', strictHostKeyChecking: 'yes', timeoutMs: 1500 }} | ${'ssh -i /k -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/kh -o ConnectTimeout=2 -o BatchMode=yes -o LogLevel=ERROR'}
    ${{ sshKeyFile: "/a b/it's" }}                                                                | ${`ssh -i '/a b/it'\\''s' -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o LogLevel=ERROR`}
    ${{ sshCommand: 'ssh -F /cfg', sshKeyFile: '/ignored' }}                                      | ${'ssh -F /cfg'}
  `('$command', ({ opts, command }) => {
    expect(buildSshCommand(opts)).toBe(command);
  });
});

describe('buildGitEnv', () => {
  it('copies only the allowed ambient variables and sets identity, prompt and ssh', () => {
    const env = buildGitEnv({
      ambientEnv: {
        PATH: '/bin',
        HOME: '/root',
        GIT_SSL_CAINFO: '/ca',
        SECRET_TOKEN: 'x',
        https_proxy: 'http://p',
      },
      sshKeyFile: '/k',
      gnupgHome: '/g',
      user: 'Flux',
      email: 'flux@example.com',
    });

    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/root',
      https_proxy: 'http://p',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Flux',
      GIT_AUTHOR_EMAIL: 'flux@example.com',
      GIT_COMMITTER_NAME: 'Flux',
      GIT_COMMITTER_EMAIL: 'flux@example.com',
      GNUPGHOME: '/g',
      GIT_SSH_COMMAND:
        'ssh -i /k -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o LogLevel=ERROR',
    });
  });

  it("defaults to Flux v1's identity", () => {
    const env = buildGitEnv({ ambientEnv: {} });

    expect(env.GIT_COMMITTER_NAME).toBe('Weave Flux');
    expect(env.GIT_COMMITTER_EMAIL).toBe('support@weave.works');
    expect(env.GIT_SSH_COMMAND).toBeUndefined();
  });
});
