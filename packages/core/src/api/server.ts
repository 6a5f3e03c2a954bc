import type {
  ChangeJson,
  ContainerExplanationJson,
  ContainerField,
  ControllerStatusJson,
  GitConfigJson,
  ImageStatusJson,
  JobStatusJson,
  ResourceErrorJson,
  UpdateSpecJson,
} from './wire.ts';

/** `GET /v11/services` options (`namespace` and `services` are exclusive). */
export interface ListServicesOptions {
  /** Only this namespace; undefined or '' = every allowed namespace. */
  namespace?: string | undefined;
  /** Only these resource IDs. */
  services?: readonly string[] | undefined;
}

/** `GET /v10/images` options. */
export interface ListImagesOptions {
  /** A resource ID, or `<all>` (the default). */
  service?: string | undefined;
  /** Which container fields to compute; empty = all. */
  containerFields?: readonly ContainerField[] | undefined;
  /** Only with `service` = `<all>`. */
  namespace?: string | undefined;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
}

/**
 * What fluxd answers: Flux v1's `api.Server`, one method per HTTP route (`flux-v1.md` §1.2). The
 * daemon implements it; the HTTP router and the upstream RPC server expose it; fluxctl's client
 * implements it over HTTP. Errors are {@link FluxError}s whose `kind` picks the status code.
 */
export interface FluxApi {
  ping(options?: CallOptions): Promise<void>;
  version(options?: CallOptions): Promise<string>;
  notifyChange(change: ChangeJson, options?: CallOptions): Promise<void>;
  listServices(query: ListServicesOptions, options?: CallOptions): Promise<ControllerStatusJson[]>;
  listImages(query: ListImagesOptions, options?: CallOptions): Promise<ImageStatusJson[]>;
  /** Queues a job (or, for a `plan` release, runs it inside the call) and returns its ID. */
  updateManifests(spec: UpdateSpecJson, options?: CallOptions): Promise<string>;
  jobStatus(jobId: string, options?: CallOptions): Promise<JobStatusJson>;
  /** Full SHAs between the sync marker and `ref` (restricted to the git paths); [] when applied. */
  syncStatus(ref: string, options?: CallOptions): Promise<string[]>;
  /** A multi-document YAML dump of the cluster's namespaces and workloads. */
  export(options?: CallOptions): Promise<string>;
  /** The git remote, deploy key and repo status; `regenerate` makes a new deploy key first. */
  gitRepoConfig(regenerate: boolean, options?: CallOptions): Promise<GitConfigJson>;
  /**
   * Beyond Flux v1 (`GET /v11/why`): for each container of a workload (or only `container`), every
   * known tag with the verdict of the automation planner.
   */
  explain(workload: string, container?: string, options?: CallOptions): Promise<ContainerExplanationJson[]>;
  /**
   * Beyond Flux v1 (`GET /v11/sync-errors`): the resources the last sync failed to apply, and the
   * files that failed to load, sorted by ID; [] when everything applied.
   */
  syncErrors(options?: CallOptions): Promise<ResourceErrorJson[]>;
}
