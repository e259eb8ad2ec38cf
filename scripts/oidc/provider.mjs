// A real OpenID Connect provider for feast-console's sign-in tests: npm oidc-provider (an
// OpenID-certified implementation) issuing tokens shaped like Keycloak's (preferred_username,
// groups, realm_access.roles, resource_access.<client>.roles). The console is a confidential
// client with PKCE required. Started by the tests on a free loopback port:
//
//   PORT=45678 CLIENT_SECRET=... REDIRECT_URIS=http://127.0.0.1:3000/auth/callback \
//   POST_LOGOUT_REDIRECT_URIS=http://127.0.0.1:3000/auth/signed-out node provider.mjs
//
// Prints "ready <issuer>" once it listens. Users sign in through devInteractions' real login
// form (any password; the login name picks the user below).
import Provider from 'oidc-provider';

const port = Number(process.env.PORT ?? 0);
const host = '127.0.0.1';
const issuer = `http://${host}:${port}`;
const clientId = process.env.CLIENT_ID ?? 'feast-console';
const feastClientId = process.env.FEAST_CLIENT_ID ?? 'feast';
// Access tokens are JWTs for this resource (Feast), as Keycloak's are: Feast's own OIDC parser
// verifies them against the provider's JWKS and reads the same Keycloak-shaped claims.
const feastResource = process.env.FEAST_RESOURCE ?? 'urn:feast:registry';
const list = (name) => (process.env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);

if (!process.env.CLIENT_SECRET) {
  console.error('CLIENT_SECRET is required');
  process.exit(2);
}

// Keycloak-shaped users. Console roles are client roles of the console's client; Feast roles
// are client roles of Feast's client; realm roles are present but ignored by Feast.
const users = {
  alice: { groups: ['platform-admins'], console: ['console-admin'], feast: ['feast-admin'], realm: ['default-roles-feast', 'offline_access'] },
  sam: { groups: ['sre'], console: ['console-sre'], feast: ['feast-reader'], realm: ['default-roles-feast'] },
  vic: { groups: ['team-a'], console: ['console-viewer'], feast: ['feast-reader'], realm: ['default-roles-feast'] },
  nobody: { groups: [], console: [], feast: [], realm: ['default-roles-feast'] },
  // A Feast role that the driver_ranking fixture's `ranking_readers` permission grants.
  rita: { groups: ['team-a'], console: ['console-viewer'], feast: ['ranking-reader'], realm: ['default-roles-feast'] },
};

const claimsOf = (id) => {
  const u = users[id];
  return {
    sub: `user-${id}`,
    preferred_username: id,
    name: id,
    email: `${id}@example.test`,
    groups: u.groups,
    realm_access: { roles: u.realm },
    resource_access: { [clientId]: { roles: u.console }, [feastClientId]: { roles: u.feast } },
  };
};

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: list('REDIRECT_URIS'),
    post_logout_redirect_uris: list('POST_LOGOUT_REDIRECT_URIS'),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? feastResource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: 'openid profile email offline_access',
        audience: feastClientId,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  // What Keycloak puts in its access tokens: the username, groups and roles Feast reads.
  extraTokenClaims: async (_ctx, token) => {
    if (token.kind !== 'AccessToken' || !users[token.accountId]) return undefined;
    const { sub: _sub, ...claims } = claimsOf(token.accountId);
    return claims;
  },
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name', 'groups', 'realm_access', 'resource_access'],
    email: ['email'],
  },
  // Keycloak puts these claims in the ID token too (its mappers' "add to ID token").
  conformIdTokenClaims: false,
  ttl: {
    AccessToken: Number(process.env.ACCESS_TOKEN_TTL ?? 3600),
    IdToken: 3600,
    RefreshToken: 86400,
  },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: () => true,
  // A first-party client: consent is implied, as with Keycloak's "consent required" off.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email offline_access');
    grant.addResourceScope(feastResource, 'openid profile email offline_access');
    await grant.save();
    return grant;
  },
  findAccount: async (_ctx, id) => (users[id] ? { accountId: id, claims: async () => claimsOf(id) } : undefined),
  cookies: { keys: ['feast-console-test-only-cookie-key'] },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (_ctx, err) => console.error('server_error', err));
const server = provider.listen(port, host, () => {
  console.log(`ready ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
