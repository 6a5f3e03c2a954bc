import type {
  AutomatedSpecJson,
  CauseJson,
  CommitEventMetadataJson,
  ReleaseContainersSpecJson,
  ReleaseImageSpecJson,
  WorkloadResultJson,
} from '@flux-ts/core';
import { formatGoTime } from '@flux-ts/core';

/** The kinds of event fluxd reports (`flux-v1.md` §5.6). */
export const EventType = {
  Commit: 'commit',
  Sync: 'sync',
  Release: 'release',
  AutoRelease: 'autorelease',
  Automate: 'automate',
  Deautomate: 'deautomate',
  Lock: 'lock',
  Unlock: 'unlock',
  UpdatePolicy: 'update_policy',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** The label of commits that are not an event of their own (`includes.other`). */
export const NONE_OF_THE_ABOVE = 'other';

/** How important an event is. */
export const EventLogLevel = {
  Debug: 'debug',
  Info: 'info',
  Warn: 'warn',
  Error: 'error',
} as const;
export type EventLogLevel = (typeof EventLogLevel)[keyof typeof EventLogLevel];

/** One commit of a sync event. */
export interface SyncCommitJson {
  revision: string;
  message: string;
}

/** A resource that failed to apply in a sync. */
export interface ResourceErrorJson {
  ID: string;
  Path: string;
  Error: string;
}

/** `sync` metadata; every field is omitted when empty. Commits are newest first. */
export interface SyncEventMetadata {
  /** Old events only; `commits` is used in preference. */
  revisions?: string[];
  commits?: SyncCommitJson[];
  /** Which kinds of commit the sync includes: `release`, `autorelease`, `update_policy`, `other`. */
  includes?: Partial<Record<string, boolean>>;
  errors?: ResourceErrorJson[];
  initialSync?: boolean;
}

/** `commit` metadata: the same as a job's result (`{revision, spec, result}`). */
export type CommitEventMetadata = CommitEventMetadataJson;

/** Per-workload outcomes of a release (`update.Result`). */
export type UpdateResultJson = Record<string, WorkloadResultJson>;

/** `spec.Type` of a release event. */
export const ReleaseSpecType = {
  Image: 'releaseImageSpecType',
  Containers: 'releaseContainersSpecType',
} as const;
export type ReleaseSpecType = (typeof ReleaseSpecType)[keyof typeof ReleaseSpecType];

/** The spec of a release event; `Type` '' is an old event (an image spec). */
export interface ReleaseEventSpec {
  Type: ReleaseSpecType | '';
  ReleaseImageSpec: ReleaseImageSpecJson | null;
  ReleaseContainersSpec: ReleaseContainersSpecJson | null;
}

/** `release` metadata, from a release note found during a sync. */
export interface ReleaseEventMetadata {
  Revision: string;
  result: UpdateResultJson | null;
  error?: string;
  spec: ReleaseEventSpec;
  cause: CauseJson;
}

/** `autorelease` metadata, from an automation note found during a sync. */
export interface AutoReleaseEventMetadata {
  Revision: string;
  result: UpdateResultJson | null;
  error?: string;
  spec: AutomatedSpecJson;
}

/** The policy event types: they carry no metadata. */
export type PolicyEventType =
  | typeof EventType.Automate
  | typeof EventType.Deautomate
  | typeof EventType.Lock
  | typeof EventType.Unlock
  | typeof EventType.UpdatePolicy;

interface EventBase {
  /** Always 0 from fluxd; the upstream assigns IDs. */
  id: number;
  /** Resource IDs (`ns:kind/name`) of the workloads affected. */
  serviceIDs: string[];
  /** Go RFC3339Nano time (see {@link eventTime}). */
  startedAt: string;
  endedAt: string;
  logLevel: EventLogLevel;
  /** A pre-formatted text; when set it is the event's text. */
  message?: string;
}

export interface SyncEvent extends EventBase {
  type: typeof EventType.Sync;
  metadata: SyncEventMetadata;
}
export interface CommitEvent extends EventBase {
  type: typeof EventType.Commit;
  metadata: CommitEventMetadata;
}
export interface ReleaseEvent extends EventBase {
  type: typeof EventType.Release;
  metadata: ReleaseEventMetadata;
}
export interface AutoReleaseEvent extends EventBase {
  type: typeof EventType.AutoRelease;
  metadata: AutoReleaseEventMetadata;
}
export interface PolicyEvent extends EventBase {
  type: PolicyEventType;
  metadata?: undefined;
}

/** Flux v1's `event.Event`, as JSON on the wire (`POST /v6/events`). */
export type Event = SyncEvent | CommitEvent | ReleaseEvent | AutoReleaseEvent | PolicyEvent;

/** The JSON of an event, fields in Flux v1's order (`message` and `metadata` omitted when empty). */
export function eventJson(event: Event): Record<string, unknown> {
  return {
    id: event.id,
    serviceIDs: event.serviceIDs,
    type: event.type,
    startedAt: event.startedAt,
    endedAt: event.endedAt,
    logLevel: event.logLevel,
    ...(event.message ? { message: event.message } : {}),
    ...(event.metadata ? { metadata: event.metadata } : {}),
  };
}

/** Formats a time as Go's `time.Time` JSON does for a UTC time (RFC3339Nano). */
export function eventTime(date: Date): string {
  return formatGoTime(date);
}

/** The first 7 characters of a revision. */
export function shortRevision(rev: string): string {
  return rev.length <= 7 ? rev : rev.slice(0, 7);
}

/** The images a release moved workloads to: targets of successful workloads, sorted, deduplicated. */
export function changedImages(result: UpdateResultJson | null | undefined): string[] {
  const images = new Set<string>();
  for (const workload of Object.values(result ?? {})) {
    if (workload.Status !== 'success') continue;
    for (const c of workload.PerContainer ?? []) images.add(c.Target);
  }
  return [...images].sort(compareStrings);
}

/** Byte-order comparison, as Go's `sort.Strings` (not locale-dependent). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Go's `%q`: a double-quoted string with Go escapes. Printable characters (including non-ASCII)
 * stay as they are.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\uFFFD';
    } else if (cp < 0x20 || cp === 0x7f) {
      out += `\\x${cp.toString(16).padStart(2, '0')}`;
    } else if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) {
      out +=
        cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

/** The text of an event, exactly as Flux v1 writes it (`event.String()`). Workload IDs are sorted. */
export function eventText(event: Event): string {
  if (event.message) return event.message;
  const ids = [...event.serviceIDs].sort(compareStrings);
  switch (event.type) {
    case EventType.Release: {
      const metadata = event.metadata;
      let images = changedImages(metadata.result);
      if (images.length === 0) images = ['no image changes'];
      let workloads = ids;
      if (metadata.spec.Type === '' || metadata.spec.Type === ReleaseSpecType.Image) {
        if (metadata.spec.ReleaseImageSpec?.ServiceSpecs.includes('<all>')) workloads = ['all workloads'];
      }
      if (workloads.length === 0) workloads = ['no workloads'];
      const user = metadata.cause.User ? `, by ${metadata.cause.User}` : '';
      const msg = metadata.cause.Message ? `, with message ${goQuote(metadata.cause.Message)}` : '';
      return `Released: ${images.join(', ')} to ${workloads.join(', ')}${user}${msg}`;
    }
    case EventType.AutoRelease: {
      let images = changedImages(event.metadata.result);
      if (images.length === 0) images = ['no image changes'];
      return `Automated release of ${images.join(', ')}`;
    }
    case EventType.Commit: {
      const workloads = ids.length > 0 ? ids.join(', ') : '<no changes>';
      return `Commit: ${shortRevision(event.metadata.revision ?? '')}, ${workloads}`;
    }
    case EventType.Sync: {
      const commits =
        event.metadata.commits ??
        (event.metadata.revisions ?? []).map((revision) => ({ revision, message: '' }));
      let rev = '<no revision>';
      const newest = commits[0];
      const oldest = commits[commits.length - 1];
      if (newest && oldest) {
        rev =
          commits.length <= 2
            ? shortRevision(newest.revision)
            : `${shortRevision(oldest.revision)}..${shortRevision(newest.revision)}`;
      }
      const workloads = ids.length > 0 ? ids.join(', ') : 'no workloads changed';
      return `Sync: ${rev}, ${workloads}`;
    }
    case EventType.Automate:
      return `Automated: ${ids.join(', ')}`;
    case EventType.Deautomate:
      return `Deautomated: ${ids.join(', ')}`;
    case EventType.Lock:
      return `Locked: ${ids.join(', ')}`;
    case EventType.Unlock:
      return `Unlocked: ${ids.join(', ')}`;
    case EventType.UpdatePolicy:
      return `Updated policies: ${ids.join(', ')}`;
    default:
      return `Unknown event: ${(event as { type: string }).type}`;
  }
}
