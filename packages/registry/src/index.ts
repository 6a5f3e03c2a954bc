export type { AuthChallenge } from './www-authenticate.ts';
export { parseWwwAuthenticate } from './www-authenticate.ts';
