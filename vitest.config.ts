import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // New password hashes at scrypt N=2^10 instead of 2^15 (RAMPART_SCRYPT_COST) in the test
    // processes, the servers they start in process and the `rampart` processes they spawn:
    // each logon and password change would spend about 0.15 s on it otherwise. The default
    // cost itself is tested in test/crypto/password-hash.test.ts and test/cli/scrypt-cost.test.ts.
    // The test OIDC issuers listen on 127.0.0.1, which a deployment reads only when
    // RAMPART_OIDC_PRIVATE_ISSUERS allows it (test/sso/oidc/pinned-fetch.test.ts tests the default).
    env: { RAMPART_SCRYPT_COST: '10', RAMPART_OIDC_PRIVATE_ISSUERS: 'allow' },
  },
});
