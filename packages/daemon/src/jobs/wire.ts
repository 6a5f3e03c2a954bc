import type {
  ReleaseContainersSpec,
  ReleaseContainersSpecJson,
  ReleaseImageSpec,
  ReleaseImageSpecJson,
  ReleaseResult,
  WorkloadResultJson,
} from '@flux-ts/core';

/** Flux v1's image release spec → core's. */
export function releaseImageSpec(json: ReleaseImageSpecJson): ReleaseImageSpec {
  return {
    serviceSpecs: json.ServiceSpecs ?? [],
    imageSpec: json.ImageSpec,
    kind: json.Kind,
    excludes: json.Excludes ?? [],
    force: json.Force ?? false,
  };
}

/** Flux v1's containers release spec → core's. */
export function releaseContainersSpec(json: ReleaseContainersSpecJson): ReleaseContainersSpec {
  return {
    kind: json.Kind,
    containerSpecs: Object.fromEntries(
      Object.entries(json.ContainerSpecs ?? {}).map(([id, specs]) => [
        id,
        specs.map((s) => ({ container: s.Container, current: s.Current ?? '', target: s.Target })),
      ]),
    ),
    skipMismatches: json.SkipMismatches ?? false,
    force: json.Force ?? false,
  };
}

/** Per-workload results as Flux v1 encodes them (keys sorted). */
export function resultToJson(result: ReleaseResult): Record<string, WorkloadResultJson> {
  const out: Record<string, WorkloadResultJson> = {};
  for (const id of Object.keys(result).sort()) {
    const r = result[id];
    if (!r) continue;
    out[id] = {
      Status: r.status,
      ...(r.error ? { Error: r.error } : {}),
      PerContainer: r.perContainer
        ? r.perContainer.map((c) => ({ Container: c.container, Current: c.current, Target: c.target }))
        : null,
    };
  }
  return out;
}
