/**
 * What the data plane reads from a request, through the official ali-oss client (and raw HTTP
 * where clients never send it) against a real server process, on both stores:
 * - GET ?objectMeta is refused with a framed error answer (GetObjectMeta is HEAD): it once
 *   answered the object's Content-Length with no body, stalling or desyncing the connection;
 * - DeleteMultipleObjects reads each Key exactly as written, XML references decoded once;
 * - a response-* override that cannot be a header value is InvalidArgument, not a 500.
 */
import { connect } from 'node:net';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootKeys, startServer, type TestServer } from '../helpers/server.js';
import { STORES, uniq } from './ram-helpers.js';
import { ossClient, ossFailure, type Oss } from './oss-helpers.js';

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Sends raw bytes on one kept-alive connection and reads `count` responses framed by their
 * Content-Length (none of them chunked), as a pipelining client does.
 */
function pipelined(port: number, request: string, count: number): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out; read so far: ${data.toString('latin1')}`));
    }, 5000);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const out: RawResponse[] = [];
      let at = 0;
      while (out.length < count) {
        const end = data.indexOf('\r\n\r\n', at);
        if (end < 0) return;
        const [statusLine, ...lines] = data.subarray(at, end).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines)
          headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
        const length = Number(headers['content-length'] ?? 0);
        if (data.length < end + 4 + length) return;
        out.push({
          status: Number(statusLine!.split(' ')[1]),
          headers,
          body: data.subarray(end + 4, end + 4 + length).toString('utf8'),
        });
        at = end + 4 + length;
      }
      clearTimeout(timer);
      socket.destroy();
      resolve(out);
    });
    socket.write(request);
  });
}

describe.each(STORES)('OSS request parsing (%s)', (store) => {
  let server: TestServer;
  let c: Oss;
  let bucket: string;

  beforeAll(async () => {
    server = await startServer({ store });
    bucket = uniq('parse');
    c = ossClient(server, rootKeys(server), { bucket });
    await c.putBucket(bucket);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const names = async (): Promise<string[]> =>
    ((await c.list({ 'max-keys': 1000 })).objects ?? []).map((o: { name: string }) => o.name).sort();

  describe('GET ?objectMeta', () => {
    it('is NotImplemented with a framed body; a pipelined request after it is answered on its own', async () => {
      await c.put('meta.txt', Buffer.from('0123456789'));
      const get = `GET /${bucket}/meta.txt?objectMeta HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`;
      const head = `HEAD /${bucket}/meta.txt?objectMeta HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`;
      const [first, second] = await pipelined(server.port, get + head + get, 3);
      expect(first!.status).toBe(501);
      expect(first!.body).toMatch(/<Code>NotImplemented<\/Code>/);
      expect(first!.body).toMatch(/GET with the sub-resource objectMeta is not implemented/);
      // The unsigned HEAD is refused by authorization, framed on its own.
      expect(second!.status).toBe(403);
    });

    it('signed: NotImplemented through the client; HEAD ?objectMeta (GetObjectMeta) still answers', async () => {
      const f = await ossFailure(
        c.request({
          ...c._objectRequestParams('GET', 'meta.txt', { subres: { objectMeta: '' } }),
          successStatuses: [200],
        }),
      );
      expect([f.status, f.code]).toEqual([501, 'NotImplemented']);
      const meta = await c.getObjectMeta('meta.txt');
      expect([meta.status, meta.res.headers['content-length']]).toEqual([200, '10']);
    });
  });

  describe('a key that starts with the bucket name', () => {
    // With an IP endpoint ali-oss names the bucket in Host; with sldEnable it names it in the
    // path too. A key `<bucket>/x` sent without sldEnable arrives as the same path as `x` sent
    // with it: the signature, which covers bucket and key, tells the two apart.
    it.each(['v1', 'v4'] as const)(
      'is stored under its own name, beside the key without the prefix (%s)',
      async (sig) => {
        const hosted = ossClient(server, rootKeys(server), { bucket, v4: sig === 'v4' });
        const pathStyle = ossClient(server, rootKeys(server), {
          bucket,
          v4: sig === 'v4',
          addressing: 'path',
        });
        const prefixed = `${bucket}/${sig}-inner.txt`;
        const plain = `${sig}-inner.txt`;
        await hosted.put(prefixed, Buffer.from('prefixed'));
        await hosted.put(plain, Buffer.from('plain'));
        expect((await hosted.get(prefixed)).content.toString()).toBe('prefixed');
        expect((await hosted.get(plain)).content.toString()).toBe('plain');
        expect((await pathStyle.get(prefixed)).content.toString()).toBe('prefixed');
        expect((await pathStyle.get(plain)).content.toString()).toBe('plain');
        expect(await names()).toEqual(expect.arrayContaining([prefixed, plain]));
        await hosted.delete(prefixed);
        expect((await hosted.get(plain)).content.toString()).toBe('plain');
        expect((await ossFailure(hosted.get(prefixed))).code).toBe('NoSuchKey');
        await hosted.delete(plain);
      },
    );
  });

  describe('DeleteMultipleObjects keys', () => {
    it('are taken exactly as written: "keep " is not "keep"', async () => {
      await c.put('keep', Buffer.from('k'));
      await c.put('keep ', Buffer.from('k-space'));
      const r = await c.deleteMulti(['keep ']);
      expect(r.deleted.map((d: { Key: string }) => d.Key)).toEqual(['keep ']);
      expect(await names()).toContain('keep');
      expect(await names()).not.toContain('keep ');
    });

    it("decode character references once: it's.txt (sent as it&#39;s.txt) and a key literally named it&#39;s.txt", async () => {
      await c.put("it's.txt", Buffer.from('apostrophe'));
      await c.put('it&#39;s.txt', Buffer.from('literal'));
      await c.deleteMulti(["it's.txt"]);
      expect(await names()).not.toContain("it's.txt");
      expect(await names()).toContain('it&#39;s.txt');
      await c.deleteMulti(['it&#39;s.txt']);
      expect(await names()).not.toContain('it&#39;s.txt');
    });

    const send = (xml: string) =>
      c.request({
        ...c._objectRequestParams('POST', '', { subres: { delete: '' } }),
        mime: 'xml',
        content: Buffer.from(xml),
        headers: { 'Content-MD5': createHash('md5').update(xml).digest('base64') },
        successStatuses: [200],
      });

    it.each([
      ['two Keys in one Object', '<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>'],
      ['an Object without a Key', '<Delete><Object><Key>a</Key></Object><Object></Object></Delete>'],
      ['an entity XML does not define', '<Delete><Object><Key>a&nbsp;</Key></Object></Delete>'],
      ['a reference to a character XML forbids', '<Delete><Object><Key>a&#0;</Key></Object></Delete>'],
      ['a Key holding an element', '<Delete><Object><Key>a<b/></Key></Object></Delete>'],
      ['two root elements', '<Delete><Object><Key>a</Key></Object></Delete><Delete/>'],
    ])('%s: MalformedXML, nothing deleted', async (_label, xml) => {
      await c.put('a', Buffer.from('a'));
      await c.put('b', Buffer.from('b'));
      await c.put('a,b', Buffer.from('ab'));
      const f = await ossFailure(send(xml));
      expect([f.status, f.code]).toEqual([400, 'MalformedXML']);
      expect(await names()).toEqual(expect.arrayContaining(['a', 'b', 'a,b']));
    });

    it('reads CDATA verbatim and references in text once', async () => {
      await c.put('x&amp;y', Buffer.from('1'));
      await c.put('p&q', Buffer.from('2'));
      const r = await send(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Delete>\n  <Quiet>false</Quiet>\n' +
          '  <Object><Key><![CDATA[x&amp;y]]></Key></Object>\n  <Object><Key>p&#x26;q</Key></Object>\n</Delete>',
      );
      expect(r.status).toBe(200);
      expect(await names()).not.toContain('x&amp;y');
      expect(await names()).not.toContain('p&q');
    });
  });

  describe('response-* overrides', () => {
    it.each([
      ['response-content-disposition', 'attachment; filename="报告.txt"'],
      ['response-content-disposition', 'attachment\r\nSet-Cookie: a=b'],
      ['response-content-type', 'text/plain\n'],
      ['response-cache-control', 'no-cache\u0000'],
    ])('%s %j: InvalidArgument on GET and HEAD', async (param, value) => {
      await c.put('override.txt', Buffer.from('bytes'));
      const f = await ossFailure(c.get('override.txt', { subres: { [param]: value } }));
      expect([f.status, f.code]).toEqual([400, 'InvalidArgument']);
      expect(f.message).toBe(
        `${param} cannot be a header value: it holds a control character or a character outside ISO-8859-1 (encode a file name as RFC 6266 filename*=UTF-8''...).`,
      );
      const h = await ossFailure(c.head('override.txt', { subres: { [param]: value } }));
      expect([h.status, h.code]).toEqual([400, 'InvalidArgument']);
    });

    it('a value that can be a header is honoured (RFC 6266 filename* for a UTF-8 name)', async () => {
      const value = `attachment; filename*=UTF-8''${encodeURIComponent('报告.txt')}`;
      const r = await c.get('override.txt', { subres: { 'response-content-disposition': value } });
      expect(r.res.headers['content-disposition']).toBe(value);
    });

    it('an anonymous GET may override the Content-Type only', async () => {
      const open = uniq('parse-public');
      await c.putBucket(open);
      await c.putBucketACL(open, 'public-read');
      const owner = ossClient(server, rootKeys(server), { bucket: open });
      await owner.put('page.html', Buffer.from('<p>hi</p>'));
      const get = (query: string) => fetch(`http://127.0.0.1:${server.port}/${open}/page.html?${query}`);
      const typed = await get('response-content-type=text%2Fplain');
      expect([typed.status, typed.headers.get('content-type'), await typed.text()]).toEqual([
        200,
        'text/plain',
        '<p>hi</p>',
      ]);
      for (const param of OTHER_OVERRIDES) {
        const r = await get(`${param}=attachment`);
        const body = await r.text();
        expect([param, r.status, /<Code>([^<]+)<\/Code>/.exec(body)?.[1]]).toEqual([
          param,
          400,
          'InvalidArgument',
        ]);
        expect(body).toContain(`${param} needs a signed request`);
      }
      // Signed, every override is honoured.
      const signed = await owner.get('page.html', { subres: { 'response-cache-control': 'no-store' } });
      expect(signed.res.headers['cache-control']).toBe('no-store');
      await owner.delete('page.html');
      await c.deleteBucket(open);
    });
  });
});

const OTHER_OVERRIDES = [
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-cache-control',
  'response-expires',
];
