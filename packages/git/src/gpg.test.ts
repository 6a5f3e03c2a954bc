import { describe, expect, it } from 'vitest';
import { gpgImportArgs, ultimateOwnertrust } from './gpg.ts';

describe('gpg helpers', () => {
  it('builds the import argv', () => {
    expect(gpgImportArgs('/keys/a.asc')).toEqual(['--batch', '--import', '/keys/a.asc']);
  });

  it('trusts primary keys only, ultimately', () => {
    const listing = [
      'tru::1:1700000000:0:3:1:5',
      'pub:u:255:22:ED1804E37165F402:1700000000:::u:::scESC:::::ed25519:::0:',
      'fpr:::::::::B989D0B4AAAAAAAAAAAAAAAAED1804E37165F402:',
      'uid:u::::1700000000::X::Flux Test <flux-test@example.com>::::::::::0:',
      'sub:u:255:18:1111111111111111:1700000000::::::e:::::cv25519::',
      'fpr:::::::::CCCCCCCCCCCCCCCCCCCCCCCC1111111111111111:',
      'pub:-:255:22:2222222222222222:1700000000:::-:::scESC:::::ed25519:::0:',
      'fpr:::::::::DDDDDDDDDDDDDDDDDDDDDDDD2222222222222222:',
      '',
    ].join('\n');

    expect(ultimateOwnertrust(listing)).toBe(
      'B989D0B4AAAAAAAAAAAAAAAAED1804E37165F402:6:\nDDDDDDDDDDDDDDDDDDDDDDDD2222222222222222:6:\n',
    );
  });
});
