import { describe, expect, it } from 'vitest';
import { InvalidListenAddressError, ListenError, listen, parseListenAddress } from './listen.ts';

describe('parseListenAddress', () => {
  it.each([
    [':3030', { host: undefined, port: 3030 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['localhost:3031', { host: 'localhost', port: 3031 }],
    ['[::1]:3030', { host: '::1', port: 3030 }],
  ])('%s', (address, expected) => {
    expect(parseListenAddress(address)).toEqual(expected);
  });

  it.each(['3030', 'host', ':', ':99999', '::1:3030'])('rejects %s', (address) => {
    expect(() => parseListenAddress(address)).toThrow(InvalidListenAddressError);
  });
});

describe('listen', () => {
  it('serves, reports the port, and closes', async () => {
    const server = await listen((_req, res) => res.end('hi'), '127.0.0.1:0');
    expect(server.port).toBeGreaterThan(0);
    expect(await (await fetch(`http://127.0.0.1:${server.port}/`)).text()).toBe('hi');
    await server.close();
    await expect(fetch(`http://127.0.0.1:${server.port}/`)).rejects.toThrow();
  });

  it('closes when the signal aborts', async () => {
    const controller = new AbortController();
    const server = await listen((_req, res) => res.end('hi'), '127.0.0.1:0', controller.signal);
    controller.abort();
    await server.close();
    await expect(fetch(`http://127.0.0.1:${server.port}/`)).rejects.toThrow();
  });

  it('reports an address in use', async () => {
    const first = await listen((_req, res) => res.end(), '127.0.0.1:0');
    await expect(listen((_req, res) => res.end(), `127.0.0.1:${first.port}`)).rejects.toThrow(ListenError);
    await first.close();
  });
});
