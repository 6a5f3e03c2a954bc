import { FluxError, type ImageContainerJson, type ImageInfoJson, type ImageStatusJson } from '@flux-ts/core';
import { describe, expect, it } from 'vitest';
import { formatImages, imagesJson, NegativeLimitError } from './images-table.ts';

const info = (ID: string, CreatedAt?: string): ImageInfoJson => ({
  ID,
  Labels: {},
  ...(CreatedAt ? { CreatedAt } : {}),
});
const empty = info('');

// The e2e fixture of flux-v1.md §2.2 (`init` runs an image excluded from scanning).
const e2e: ImageStatusJson[] = [
  {
    ID: 'demo:helmrelease/mongodb',
    Containers: [{ Name: 'chart-image', Current: empty, LatestFiltered: empty }],
  },
  {
    ID: 'demo:deployment/podinfo',
    Containers: [
      {
        Name: 'podinfod',
        Current: info('stefanprodan/podinfo:3.1.0', '2020-03-20T13:53:00Z'),
        LatestFiltered: info('stefanprodan/podinfo:3.1.0', '2020-03-20T13:53:00Z'),
        Available: [
          info('stefanprodan/podinfo:3.1.0', '2020-03-20T13:53:00Z'),
          info('stefanprodan/podinfo:3.0.5', '2020-04-20T13:53:00Z'),
        ],
        AvailableImagesCount: 2,
      },
      { Name: 'init', Current: empty, LatestFiltered: empty },
    ],
  },
  {
    ID: 'demo:helmrelease/ghost',
    Containers: [
      {
        Name: 'chart-image',
        Current: info('bitnami/ghost:3.1.1-debian-9-r0'),
        LatestFiltered: info('bitnami/ghost:3.1.1-debian-9-r0'),
        Available: [
          info('bitnami/ghost:3.1.1-debian-9-r0', '2020-02-20T13:53:00Z'),
          info('bitnami/ghost:3.0.2-debian-9-r3', '2020-01-20T13:53:00Z'),
        ],
      },
    ],
  },
];

const helloworld = (available: string[], current = 'master-a000001'): ImageContainerJson => ({
  Name: 'helloworld',
  Current: info(`quay.io/weaveworks/helloworld:${current}`),
  LatestFiltered: empty,
  Available: available.map((tag) =>
    info(
      `quay.io/weaveworks/helloworld:${tag}`,
      tag === 'master-a000001' ? '2016-07-12T17:16:00Z' : '2016-07-20T13:19:00Z',
    ),
  ),
});

describe('formatImages', () => {
  it('prints the e2e table of Flux v1 byte for byte', () => {
    expect(formatImages(e2e, { limit: 10 })).toBe(
      [
        'WORKLOAD                  CONTAINER    IMAGE                  CREATED',
        'demo:deployment/podinfo   podinfod     stefanprodan/podinfo   ',
        "                                       '-> 3.1.0              20 Mar 20 13:53 UTC",
        '                                           3.0.5              20 Apr 20 13:53 UTC',
        '                          init                                image data not available',
        "                                       '-> (untagged)         ?",
        'demo:helmrelease/ghost    chart-image  bitnami/ghost          ',
        "                                       '-> 3.1.1-debian-9-r0  20 Feb 20 13:53 UTC",
        '                                           3.0.2-debian-9-r3  20 Jan 20 13:53 UTC',
        'demo:helmrelease/mongodb  chart-image                         image data not available',
        "                                       '-> (untagged)         ?",
        '',
      ].join('\n'),
    );
  });

  it('marks newer images with | as in the docs example', () => {
    const out = formatImages(
      [
        {
          ID: 'default:deployment/helloworld',
          Containers: [helloworld(['master-9a16ff945b9e', 'master-b31c617a0fe3', 'master-a000001'])],
        },
      ],
      { limit: 10, noHeaders: true },
    );
    // The docs example's lines, byte for byte.
    expect(out.split('\n').slice(1)).toEqual([
      '                                           |   master-9a16ff945b9e        20 Jul 16 13:19 UTC',
      '                                           |   master-b31c617a0fe3        20 Jul 16 13:19 UTC',
      "                                           '-> master-a000001             12 Jul 16 17:16 UTC",
      '',
    ]);
  });

  it('leaves out images beyond the limit but keeps the running one after an omitted-count line', () => {
    const tags = ['t5', 't4', 't3', 't2', 'master-a000001', 't0'];
    const out = formatImages([{ ID: 'default:deployment/helloworld', Containers: [helloworld(tags)] }], {
      limit: 2,
      noHeaders: true,
    });
    expect(out).toBe(
      [
        'default:deployment/helloworld  helloworld  quay.io/weaveworks/helloworld  ',
        '                                           |   t5                         20 Jul 16 13:19 UTC',
        '                                           |   t4                         20 Jul 16 13:19 UTC',
        '                                           : (2 image(s) omitted)         ',
        "                                           '-> master-a000001             12 Jul 16 17:16 UTC",
        '',
      ].join('\n'),
    );
  });

  it('prints the running image right after the limit without an omitted-count line', () => {
    const out = formatImages(
      [{ ID: 'default:deployment/helloworld', Containers: [helloworld(['t2', 'master-a000001', 't0'])] }],
      { limit: 1, noHeaders: true },
    );
    expect(out).not.toContain('omitted');
    expect(out).toContain("'-> master-a000001");
    expect(out).not.toContain('t0');
  });

  it('shows all images for a limit of 0 or below', () => {
    const c = helloworld(['t2', 't1', 'master-a000001', 't0']);
    for (const limit of [0, -1]) {
      const out = formatImages([{ ID: 'a:deployment/b', Containers: [c] }], { limit, noHeaders: true });
      expect(out.split('\n')).toHaveLength(6);
    }
  });

  it('prints the running tag with ? when no available image has it', () => {
    const out = formatImages([{ ID: 'a:deployment/b', Containers: [helloworld(['t2'], 'gone')] }], {
      limit: 10,
      noHeaders: true,
    });
    expect(out.split('\n').slice(1)).toEqual([
      `${' '.repeat(28)}|   t2${' '.repeat(25)}20 Jul 16 13:19 UTC`,
      `${' '.repeat(28)}'-> gone${' '.repeat(23)}?`,
      '',
    ]);
  });

  it('prints the AvailableError, workloads without containers, and an empty CreatedAt', () => {
    const out = formatImages(
      [
        { ID: 'a:deployment/none', Containers: [] },
        {
          ID: 'a:deployment/err',
          Containers: [
            {
              Name: 'c',
              Current: info('nginx:1'),
              LatestFiltered: empty,
              AvailableError: 'registry timed out',
            },
          ],
        },
        {
          ID: 'a:deployment/nodate',
          Containers: [
            { Name: 'c', Current: info('nginx:1'), LatestFiltered: empty, Available: [info('nginx:1')] },
          ],
        },
      ],
      { limit: 10 },
    );
    expect(out).toBe(
      [
        'WORKLOAD             CONTAINER  IMAGE  CREATED',
        'a:deployment/err     c          nginx  registry timed out',
        "                                '-> 1  ?",
        'a:deployment/nodate  c          nginx  ',
        "                                '-> 1  ",
        'a:deployment/none                      ',
        '',
      ].join('\n'),
    );
  });
});

describe('imagesJson', () => {
  it('cuts Available to the limit, sorted, on one line', () => {
    const images: ImageStatusJson[] = [
      { ID: 'b:deployment/x', Containers: [helloworld(['t2', 't1', 'master-a000001'])] },
      { ID: 'a:deployment/y', Containers: [{ Name: 'c', Current: empty, LatestFiltered: empty }] },
    ];
    const out = imagesJson(images, 2);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.split('\n')).toHaveLength(2);
    const parsed = JSON.parse(out) as ImageStatusJson[];
    expect(parsed.map((i) => i.ID)).toEqual(['a:deployment/y', 'b:deployment/x']);
    expect(parsed[1]?.Containers[0]?.Available?.map((i) => i.ID)).toEqual([
      'quay.io/weaveworks/helloworld:t2',
      'quay.io/weaveworks/helloworld:t1',
    ]);
    expect(parsed[0]?.Containers[0]).toEqual({ Name: 'c', Current: empty, LatestFiltered: empty });
    expect(images[0]?.Containers[0]?.Available).toHaveLength(3);
  });

  it('keeps everything for a limit of 0 and the wire key order', () => {
    const images: ImageStatusJson[] = [{ ID: 'a:deployment/y', Containers: [helloworld(['t2', 't1'])] }];
    expect(imagesJson(images, 0)).toBe(`${JSON.stringify(images)}\n`);
    expect(imagesJson(images, 1)).toBe(
      '[{"ID":"a:deployment/y","Containers":[{"Name":"helloworld","Current":{"ID":"quay.io/weaveworks/helloworld:master-a000001","Labels":{}},"LatestFiltered":{"ID":"","Labels":{}},"Available":[{"ID":"quay.io/weaveworks/helloworld:t2","Labels":{},"CreatedAt":"2016-07-20T13:19:00Z"}]}]}]\n',
    );
  });

  it('refuses a negative limit with a typed error', () => {
    expect(() => imagesJson([], -1)).toThrow(NegativeLimitError);
    expect(() => imagesJson([], -1)).toThrow(FluxError);
    expect(() => imagesJson([], -1)).toThrow('opts.limit cannot be less than 0');
  });
});
