import { describe, expect, it } from 'vitest';
import { KubeConfigError } from './kubeconfig.ts';
import { resolveApiUrl, WEAVE_CLOUD_URL } from './resolve-url.ts';

const base = { namespace: 'default', labels: { app: 'flux' } };

describe('resolveApiUrl', () => {
  it('uses --url as is, without touching Kubernetes', async () => {
    const endpoint = await resolveApiUrl({
      ...base,
      url: 'http://fluxd.example:3030/api/flux',
      token: 't',
      kubeconfigPath: '/nonexistent/kubeconfig',
      context: 'nope',
    });
    expect(endpoint.baseUrl).toBe('http://fluxd.example:3030/api/flux');
    expect(endpoint.lastError()).toBeUndefined();
    await endpoint.close();
  });

  it('goes to Weave Cloud with a token and no URL', async () => {
    const endpoint = await resolveApiUrl({
      ...base,
      token: 'abc',
      kubeconfigPath: '/nonexistent/kubeconfig',
    });
    expect(endpoint.baseUrl).toBe(WEAVE_CLOUD_URL);
    expect(WEAVE_CLOUD_URL).toBe('https://cloud.weave.works/api/flux');
    await endpoint.close();
  });

  it('treats empty --url and --token as absent and goes to Kubernetes', async () => {
    await expect(
      resolveApiUrl({ ...base, url: '', token: '', kubeconfigPath: '/nonexistent/kubeconfig' }),
    ).rejects.toThrow(KubeConfigError);
  });
});
