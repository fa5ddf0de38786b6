// The least a signed GetUser must do, as a plain node:http server: the bench's second peer.
// It verifies the V3 signature of the one AccessKey it is given (the canonical request, its
// SHA-256 and the HMAC, compared in constant time), refuses a stale date or a nonce it has
// seen (in memory only), reads the user with one prepared SQLite statement from the store's
// file, and writes the JSON answer. It has no policy, no audit trail, no request log and no
// metrics, and keeps nothing across restarts: what Rampart spends beyond it is the rest of the
// product. Its figure beside the bare server's shows how much of the gap this machine puts in
// the work itself.
//
//   node bench/http/plain.js DATABASE_FILE ACCESS_KEY_ID ACCESS_KEY_SECRET
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { URLSearchParams } from 'node:url';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');

const [file, accessKeyId, secret] = process.argv.slice(2);
const db = new Database(file, { readonly: true, fileMustExist: true });
const userByName = db
  .prepare(
    `select user_id, user_name, display_name, email, mobile_phone, comments, create_date, update_date
       from users where name_key = ?`,
  )
  .raw(true);
const seen = new Set();
const FRESH_MS = 15 * 60 * 1000;
const AUTH = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/;

function refuse(res, status) {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
}

function canonicalQuery(query) {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const server = createServer((req, res) => {
  const h = req.headers;
  const m = AUTH.exec(h.authorization ?? '');
  if (!m || m[1] !== accessKeyId) return refuse(res, 401);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const signedHeaders = m[2];
  let canonical = `${req.method}\n${path}\n${canonicalQuery(query)}\n`;
  for (const name of signedHeaders.split(';')) canonical += `${name}:${String(h[name] ?? '').trim()}\n`;
  canonical += `\n${signedHeaders}\n${h['x-acs-content-sha256'] ?? ''}`;
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(m[3], 'hex'))) return refuse(res, 401);
  const date = Date.parse(String(h['x-acs-date'] ?? ''));
  const nonce = String(h['x-acs-signature-nonce'] ?? '');
  if (!(Math.abs(Date.now() - date) <= FRESH_MS) || nonce === '' || seen.has(nonce)) return refuse(res, 401);
  seen.add(nonce);
  const name = new URLSearchParams(query).get('UserName') ?? '';
  const row = userByName.get(name.toLowerCase());
  if (!row) return refuse(res, 404);
  const body = JSON.stringify({
    RequestId: randomUUID().toUpperCase(),
    User: {
      UserId: row[0],
      UserName: row[1],
      DisplayName: row[2] ?? '',
      Email: row[3] ?? '',
      MobilePhone: row[4] ?? '',
      Comments: row[5] ?? '',
      CreateDate: row[6],
      UpdateDate: row[7],
    },
  });
  res.writeHead(200, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
