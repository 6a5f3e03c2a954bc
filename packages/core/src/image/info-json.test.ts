import { describe, expect, it } from 'vitest';
import { imageInfoToJson } from './info.ts';
import { parseImageRef } from './ref.ts';

describe('imageInfoToJson', () => {
  it("writes Labels as Flux v1's struct does: build-date, then created, nothing else", () => {
    const json = imageInfoToJson({
      ref: parseImageRef('registry.example.com/app:1.0.0'),
      labels: {
        'org.opencontainers.image.created': '2020-03-20T13:53:05.471Z',
        maintainer: 'someone',
        'org.label-schema.build-date': '2020-03-20T13:53:05.471Z',
      },
      createdAt: new Date('2020-03-20T13:53:05.471Z'),
    });
    expect(JSON.stringify(json)).toBe(
      '{"ID":"registry.example.com/app:1.0.0","Labels":{"org.label-schema.build-date":"2020-03-20T13:53:05.471Z","org.opencontainers.image.created":"2020-03-20T13:53:05.471Z"},"CreatedAt":"2020-03-20T13:53:05.471Z"}',
    );
  });

  it('an empty Info is {"ID":"","Labels":{}}', () => {
    expect(JSON.stringify(imageInfoToJson(undefined))).toBe('{"ID":"","Labels":{}}');
  });
});
