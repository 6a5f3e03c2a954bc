export { InvalidDurationError, parseDuration } from './duration.ts';
