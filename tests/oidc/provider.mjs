// A real OpenID Connect provider for ferrochat's OIDC login tests:
// panva's oidc-provider (certified by the OpenID Foundation) with its
// development interactions, where any login name signs in as the account
// of that name. Bound to 127.0.0.1 on a port the system picks.
//
// Usage: node provider.mjs CLIENT_ID CLIENT_SECRET REDIRECT_URI
// Prints one line, `issuer http://127.0.0.1:PORT`, once it listens; stops
// when its standard input closes (so it never outlives the test that
// started it) or on SIGTERM.
import http from 'node:http';
import Provider from 'oidc-provider';

const [clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!clientId || !clientSecret || !redirectUri) {
  console.error('usage: node provider.mjs CLIENT_ID CLIENT_SECRET REDIRECT_URI');
  process.exit(64);
}

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // Every client must use PKCE (S256), as ferrochat does.
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
  // The development interactions' login takes any name: that name is the
  // account, and its username.
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: `${id} (from the provider)` };
      },
    };
  },
  // The ID token carries the profile claims, so one token says who.
  conformIdTokenClaims: false,
});
// Plain http on loopback: no proxy in front.
provider.proxy = false;

server.on('request', provider.callback());
// Whoever started this may stop reading its output: that is no reason to
// stop serving.
process.stdout.on('error', () => {});
process.stdout.write(`issuer ${issuer}\n`);

const stop = () => server.close(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
