import { randomBytes } from 'node:crypto';

/** A new job ID: 16 random bytes as lower-case hex groups 8-4-4-4-12, as Flux v1 prints them. */
export function newJobId(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
