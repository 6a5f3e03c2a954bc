export { formatTable } from './tabwriter.ts';
