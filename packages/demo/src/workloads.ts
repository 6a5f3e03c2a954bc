import { NAMESPACE, type Stack } from './stack.ts';

/** A workload of the demo namespace as the API server holds it: its ID and its images. */
export interface LiveWorkload {
  id: string;
  images: string[];
}

interface PodSpecHolder {
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
}
interface HelmReleaseObject {
  spec?: { values?: { image?: { repository?: string; tag?: string } } };
}

/** The demo's Deployments and HelmReleases in the cluster, sorted by ID. */
export async function liveWorkloads(stack: Stack): Promise<LiveWorkload[]> {
  const out: LiveWorkload[] = [];
  const deployments = (await stack.cluster.get(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments`)) as
    | { items?: (PodSpecHolder & { metadata: { name: string } })[] }
    | undefined;
  for (const d of deployments?.items ?? []) {
    out.push({
      id: `${NAMESPACE}:deployment/${d.metadata.name}`,
      images: (d.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
    });
  }
  const releases = (await stack.cluster.get(
    `/apis/helm.fluxcd.io/v1/namespaces/${NAMESPACE}/helmreleases`,
  )) as { items?: (HelmReleaseObject & { metadata: { name: string } })[] } | undefined;
  for (const r of releases?.items ?? []) {
    const image = r.spec?.values?.image;
    out.push({
      id: `${NAMESPACE}:helmrelease/${r.metadata.name}`,
      images: image?.repository ? [`${image.repository}:${image.tag ?? 'latest'}`] : [],
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** The image of workload `id` in the cluster (its first container), or undefined. */
export async function liveImage(stack: Stack, id: string): Promise<string | undefined> {
  return (await liveWorkloads(stack)).find((w) => w.id === id)?.images[0];
}

/** Two columns, padded: `demo:deployment/podinfo   127.0.0.1:…/demo/podinfo:1.0.0`. */
export function workloadTable(workloads: readonly LiveWorkload[]): string {
  const width = Math.max(...workloads.map((w) => w.id.length)) + 3;
  return workloads.map((w) => `${w.id.padEnd(width)}${w.images.join(', ')}`).join('\n');
}
