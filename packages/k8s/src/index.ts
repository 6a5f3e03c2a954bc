export { GC_MARK_LABEL, gcMark, SYNC_CHECKSUM_ANNOTATION, syncSetName } from './gc-mark.ts';
