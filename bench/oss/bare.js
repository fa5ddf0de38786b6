// The bare node:http peer of bench/oss/run.js, in its own process (the benchmark blocks on
// wrk): GET answers the bytes of DIR/<path> (read once), PUT reads the body and answers
// 200, POST answers a small JSON object. Prints its port.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const dir = process.argv[2];
const cache = new Map();
const server = createServer((req, res) => {
  if (req.method === 'GET') {
    let body = cache.get(req.url);
    if (!body) {
      body = readFileSync(join(dir, `body-${req.url.replace(/^\/obj-/, '')}`));
      cache.set(req.url, body);
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      etag: '"X"',
    });
    res.end(body);
    return;
  }
  let n = 0;
  req.on('data', (c) => (n += c.length));
  req.on('end', () => {
    const text = req.method === 'POST' ? '{"Decision":"Allow"}' : '';
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-read': n,
    });
    res.end(text);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
