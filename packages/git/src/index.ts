export { redactText, redactUrl } from './redact.ts';
