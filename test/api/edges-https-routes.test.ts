import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';
import { TestSamlIdp } from '../support/saml-idp.ts';
import { asMap, errorCode, fixtures, status } from './edges-fixtures.ts';

const samlMetadata =
  '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.test"></md:EntityDescriptor>';

test('HTTPS edge routes: create/get/update/delete, embedded in the edge, errors, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { edgesHttps, edgesHttpsRoutes: routes } = ngrok.edges;
  const { backendId, policyId } = await fixtures(edge, ngrok);
  const https = await edgesHttps.create({ description: 'routes' });
  const api = edge.bootstrap.api_url;

  const root = await routes.create({
    edgeId: https.id,
    matchType: 'path_prefix',
    match: '/',
    backend: { backendId },
    description: 'root',
  });
  assert.match(root.id, /^edghtsrt_[0-9a-z]{27}$/);
  assert.equal(root.edgeId, https.id);
  assert.equal(root.uri, `${api}/edges/https/${https.id}/routes/${root.id}`);
  assert.equal(root.description, 'root');
  assert.deepEqual(root.backend, {
    enabled: true,
    backend: { id: backendId, uri: `${api}/backends/tunnel_group/${backendId}` },
  });
  for (const m of [
    'ipRestriction',
    'circuitBreaker',
    'compression',
    'requestHeaders',
    'responseHeaders',
    'webhookVerification',
    'oauth',
    'saml',
    'oidc',
    'websocketTcpConverter',
    'userAgentFilter',
    'policy',
  ] as const) {
    assert.equal(root[m], null, m);
  }
  assert.deepEqual(await routes.get({ edgeId: https.id, id: root.id }), root);
  const blog = await routes.create({
    edgeId: https.id,
    matchType: 'exact_path',
    match: '/blog',
    ipRestriction: { ipPolicyIds: [policyId] },
  });
  assert.deepEqual(blog.ipRestriction, {
    enabled: true,
    ipPolicies: [{ id: policyId, uri: `${api}/ip_policies/${policyId}` }],
  });
  assert.deepEqual((await edgesHttps.get(https.id)).routes, [root, blog]);
  // A host in the match must be one the edge serves: lower-cased, it is; another never could be.
  const host = https.hostports![0]!.split(':')[0]!;
  const cart = await routes.create({ edgeId: https.id, matchType: 'path_prefix', match: `${host.toUpperCase()}/cart` });
  assert.equal(cart.match, `${host}/cart`);
  const elsewhere = await apiFetch(edge, 'POST', `/edges/https/${https.id}/routes`, {
    match_type: 'path_prefix',
    match: 'Shop.Example.Test/cart',
  });
  assert.equal(elsewhere.status, 400);
  assert.equal(elsewhere.body.error_code, 'ERR_ROUTE_MATCH_HOST_NOT_SERVED');
  assert.match(String(elsewhere.body.msg), /"shop\.example\.test" is not one of this edge's hostports/);
  assert.equal(
    (await apiFetch(edge, 'PATCH', `/edges/https/${https.id}/routes/${cart.id}`, { match: 'shop.example.test/' })).body
      .error_code,
    'ERR_ROUTE_MATCH_HOST_NOT_SERVED',
  );
  // Nor may the edge drop the hostport the route needs.
  await ngrok.reservedDomains.create({ domain: 'other-name.example.test' } as Parameters<
    typeof ngrok.reservedDomains.create
  >[0]);
  const dropped = await apiFetch(edge, 'PATCH', `/edges/https/${https.id}`, {
    hostports: ['other-name.example.test:443'],
  });
  assert.equal(dropped.status, 400);
  assert.equal(dropped.body.error_code, 'ERR_ROUTE_MATCH_HOST_NOT_SERVED');
  assert.match(String(dropped.body.msg), new RegExp(`route ${cart.id} matches`));

  // PATCH: absent modules unchanged, present ones replaced.
  const updated = await routes.update({
    edgeId: https.id,
    id: root.id,
    matchType: 'path_prefix',
    match: '/app',
    circuitBreaker: {
      enabled: true,
      trippedDuration: 30,
      rollingWindow: 0,
      numBuckets: 0,
      volumeThreshold: 5,
      errorThresholdPercentage: 0.25,
    },
  });
  assert.equal(updated.match, '/app');
  assert.equal(updated.description, 'root');
  assert.deepEqual(updated.backend, root.backend);
  assert.deepEqual(updated.circuitBreaker, {
    enabled: true,
    trippedDuration: 30,
    rollingWindow: 10,
    numBuckets: 10,
    volumeThreshold: 5,
    errorThresholdPercentage: 0.25,
  });
  const raw = await apiFetch(edge, 'PATCH', `/edges/https/${https.id}/routes/${root.id}`, {
    id: root.id,
    edge_id: https.id,
    backend: { backend_id: backendId, enabled: false },
  });
  assert.equal(raw.status, 200);
  assert.deepEqual(raw.body.backend, {
    enabled: false,
    backend: { id: backendId, uri: `${api}/backends/tunnel_group/${backendId}` },
  });
  assert.equal(raw.body.match, '/app');

  // Bad input.
  await assert.rejects(
    routes.create({ edgeId: https.id, matchType: 'regex', match: '/x' }),
    errorCode('ERR_NGROK_215'),
  );
  await assert.rejects(
    routes.create({ edgeId: https.id, matchType: 'path_prefix', match: 'not a path' }),
    errorCode('ERR_NGROK_215'),
  );
  await assert.rejects(
    routes.create({ edgeId: https.id, matchType: 'exact_path', match: '/blog' }),
    errorCode('ERR_NGROK_7126'),
  );
  await assert.rejects(
    routes.create({
      edgeId: https.id,
      matchType: 'path_prefix',
      match: '/x',
      backend: { backendId: 'bkdtg_00000000000000000000000000' },
    }),
    errorCode('ERR_NGROK_242'),
  );
  await assert.rejects(
    routes.create({ edgeId: https.id, matchType: 'path_prefix', match: '/x', backend: { backendId: policyId } }),
    errorCode('ERR_NGROK_242'),
  );
  await assert.rejects(
    routes.update({
      edgeId: https.id,
      id: blog.id,
      matchType: 'exact_path',
      match: '/blog',
      ipRestriction: { ipPolicyIds: ['ipp_nope'] },
    }),
    errorCode('ERR_NGROK_1607'),
  );
  assert.equal(
    (await apiFetch(edge, 'POST', `/edges/https/${https.id}/routes`, { match: '/' })).body.error_code,
    'ERR_NGROK_215',
  );
  assert.equal(
    (
      await apiFetch(edge, 'POST', `/edges/https/${https.id}/routes`, {
        match_type: 'path_prefix',
        match: '/y',
        circuit_breaker: { num_buckets: 200 },
      })
    ).body.error_code,
    'ERR_NGROK_215',
  );

  // The backend and policy are in use while routes name them.
  await assert.rejects(ngrok.backends.tunnelGroupBackends.delete(backendId), status(400));
  await assert.rejects(ngrok.ipPolicies.delete(policyId), status(400));

  // Unknown ids and other accounts: 404.
  await assert.rejects(routes.get({ edgeId: https.id, id: 'edghtsrt_00000000000000000000000000' }), status(404));
  await assert.rejects(routes.get({ edgeId: 'edghts_00000000000000000000000000', id: root.id }), status(404));
  await assert.rejects(
    routes.create({ edgeId: 'edghts_00000000000000000000000000', matchType: 'path_prefix', match: '/' }),
    status(404),
  );
  const other = await otherAccount(edge);
  const foreign = apiClient(edge, other.apiKey);
  await assert.rejects(foreign.edges.edgesHttpsRoutes.get({ edgeId: https.id, id: root.id }), status(404));
  await assert.rejects(
    foreign.edges.edgesHttpsRoutes.create({ edgeId: https.id, matchType: 'path_prefix', match: '/z' }),
    status(404),
  );
  await assert.rejects(foreign.edgeModules.edgeRouteBackendModule.get({ edgeId: https.id, id: root.id }), status(404));
  assert.equal(
    (await apiFetch(edge, 'DELETE', `/edges/https/${https.id}/routes/${root.id}`, undefined, other.apiKey)).status,
    404,
  );

  // Delete a route; then the edge takes the rest along.
  assert.deepEqual(await routes.delete({ edgeId: https.id, id: blog.id }), {});
  assert.deepEqual(
    (await edgesHttps.get(https.id)).routes.map((r) => r.id),
    [root.id, cart.id],
  );
  await assert.rejects(routes.get({ edgeId: https.id, id: blog.id }), status(404));
  await edgesHttps.delete(https.id);
  await assert.rejects(routes.get({ edgeId: https.id, id: root.id }), status(404));
  assert.deepEqual(await ngrok.backends.tunnelGroupBackends.delete(backendId), {});
});

test('HTTPS edge route modules: replace/get/delete through every edgeModules namespace', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const m = ngrok.edgeModules;
  const { backendId, policyId } = await fixtures(edge, ngrok);
  const https = await ngrok.edges.edgesHttps.create({});
  const route = await ngrok.edges.edgesHttpsRoutes.create({ edgeId: https.id, matchType: 'path_prefix', match: '/' });
  const at = { edgeId: https.id, id: route.id };
  const api = edge.bootstrap.api_url;
  const host = https.hostports![0]!.replace(/:443$/, '');

  /** Replace, read back through get and the embedded route, delete, and see it gone. */
  const roundTrip = async <T>(
    name: string,
    mod: { replace(a: never): Promise<T>; get(a: typeof at): Promise<T>; delete(a: typeof at): Promise<void> },
    module: unknown,
    expected: unknown,
  ) => {
    const stored = await mod.replace({ ...at, module } as never);
    assert.deepEqual(stored, expected, name);
    assert.deepEqual(await mod.get(at), expected, name);
    const embedded = (await ngrok.edges.edgesHttpsRoutes.get(at)) as unknown as Record<string, unknown>;
    assert.deepEqual(embedded[name], expected, name);
    assert.deepEqual(await mod.delete(at), {}, name);
    await assert.rejects(mod.get(at), status(404), name);
    assert.equal(
      ((await ngrok.edges.edgesHttpsRoutes.get(at)) as unknown as Record<string, unknown>)[name],
      null,
      name,
    );
    assert.deepEqual(await mod.delete(at), {}, `${name} twice`);
  };

  await roundTrip(
    'backend',
    m.edgeRouteBackendModule,
    { backendId },
    { enabled: true, backend: { id: backendId, uri: `${api}/backends/tunnel_group/${backendId}` } },
  );
  await roundTrip(
    'ipRestriction',
    m.edgeRouteIpRestrictionModule,
    { ipPolicyIds: [policyId], enabled: false },
    { enabled: false, ipPolicies: [{ id: policyId, uri: `${api}/ip_policies/${policyId}` }] },
  );
  await roundTrip(
    'circuitBreaker',
    m.edgeRouteCircuitBreakerModule,
    { errorThresholdPercentage: 0.6 },
    {
      enabled: true,
      trippedDuration: 10,
      rollingWindow: 10,
      numBuckets: 10,
      volumeThreshold: 20,
      errorThresholdPercentage: 0.6,
    },
  );
  await roundTrip('compression', m.edgeRouteCompressionModule, {}, { enabled: true });
  await roundTrip(
    'requestHeaders',
    m.edgeRouteRequestHeadersModule,
    { add: asMap({ 'x-from': 'edge' }), remove: ['Cookie'] },
    { enabled: true, add: { xFrom: 'edge' }, remove: ['cookie'] },
  );
  await roundTrip(
    'responseHeaders',
    m.edgeRouteResponseHeadersModule,
    { add: asMap({ server: 'portico' }) },
    { enabled: true, add: { server: 'portico' }, remove: [] },
  );
  await roundTrip(
    'webhookVerification',
    m.edgeRouteWebhookVerificationModule,
    { provider: 'TWILIO', secret: 's3cret' },
    // The provider is echoed as sent (ngrok does); the edge matches it case-insensitively.
    { enabled: true, provider: 'TWILIO', secret: 's3cret' },
  );
  const session = { optionsPassthrough: false, cookiePrefix: 'ngrok.', inactivityTimeout: 0, maximumDuration: 0 };
  await roundTrip(
    'oauth',
    m.edgeRouteOAuthModule,
    { enabled: false, provider: { google: { emailDomains: ['Example.com'] } } },
    {
      enabled: false,
      provider: {
        github: null,
        facebook: null,
        microsoft: null,
        google: { clientId: null, clientSecret: null, scopes: [], emailAddresses: [], emailDomains: ['example.com'] },
        linkedin: null,
        gitlab: null,
        twitch: null,
        amazon: null,
      },
      ...session,
      authCheckInterval: 0,
    },
  );
  // Enforced with the operator's own application: a write compiles it, nothing contacts GitHub.
  const github = { clientId: 'gh-app', clientSecret: 'gh-secret', teams: ['acme/devs'], organizations: ['acme'] };
  await roundTrip(
    'oauth',
    m.edgeRouteOAuthModule,
    { provider: { github }, authCheckInterval: 600 },
    {
      enabled: true,
      provider: {
        github: { ...github, scopes: [], emailAddresses: [], emailDomains: [] },
        facebook: null,
        microsoft: null,
        google: null,
        linkedin: null,
        gitlab: null,
        twitch: null,
        amazon: null,
      },
      ...session,
      authCheckInterval: 600,
    },
  );
  await roundTrip(
    'oidc',
    m.edgeRouteOidcModule,
    {
      // Enforced: a write compiles the module but never contacts the issuer.
      issuer: 'https://accounts.example.test',
      clientId: 'id',
      clientSecret: 'secret',
      cookiePrefix: 'app.',
    },
    {
      enabled: true,
      ...session,
      cookiePrefix: 'app.',
      issuer: 'https://accounts.example.test',
      clientId: 'id',
      clientSecret: 'secret',
      scopes: ['openid', 'profile', 'email'],
    },
  );
  const sp = `https://${host}/saml/${route.id}`;
  // Stored switched off with any EntityDescriptor; the request-signing certificate is made on write.
  const samlOff = await m.edgeRouteSamlModule.replace({
    ...at,
    module: { enabled: false, idpMetadata: samlMetadata, authorizedGroups: ['staff'] } as never,
  });
  const { requestSigningCertificatePem, ...samlFields } = samlOff;
  assert.match(requestSigningCertificatePem, /^-----BEGIN CERTIFICATE-----\n/);
  assert.deepEqual(samlFields, {
    enabled: false,
    ...session,
    idpMetadata: samlMetadata,
    idpMetadataUrl: '',
    forceAuthn: false,
    allowIdpInitiated: false,
    authorizedGroups: ['staff'],
    nameidFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    entityId: `${sp}/metadata`,
    assertionConsumerServiceUrl: `${sp}/acs`,
    singleLogoutUrl: `${sp}/slo`,
    metadataUrl: `${sp}/metadata`,
  });
  assert.deepEqual(await m.edgeRouteSamlModule.get(at), samlOff);
  assert.deepEqual(await m.edgeRouteSamlModule.delete(at), {});
  await roundTrip(
    'websocketTcpConverter',
    m.edgeRouteWebsocketTcpConverterModule,
    { enabled: true },
    { enabled: true },
  );
  await roundTrip(
    'userAgentFilter',
    m.edgeRouteUserAgentFilterModule,
    { allow: ['^curl/', '(?i)\\Qbot+\\E'], deny: ['bot'] },
    { enabled: true, allow: ['^curl/', '(?i)\\Qbot+\\E'], deny: ['bot'] },
  );

  // What the client cannot show: raw header names, the bare (unwrapped) body, policy.
  const base = `/edges/https/${https.id}/routes/${route.id}`;
  const headers = await apiFetch(edge, 'PUT', `${base}/request_headers`, {
    add: { 'X-Forwarded-By': 'portico' },
    remove: ['X-Secret'],
  });
  assert.deepEqual(headers.body, { enabled: true, add: { 'x-forwarded-by': 'portico' }, remove: ['x-secret'] });
  // SAML switched on needs metadata the edge can use (SSO URL, signing certificate); then it round-trips.
  const incomplete = await apiFetch(edge, 'PUT', `${base}/saml`, { idp_metadata: samlMetadata });
  assert.equal(incomplete.body.error_code, 'ERR_SAML_CONFIG_INVALID');
  const idp = new TestSamlIdp();
  const samlOn = await ngrok.edgeModules.edgeRouteSamlModule.replace({
    edgeId: https.id,
    id: route.id,
    module: { idpMetadata: idp.metadata, allowIdpInitiated: true, forceAuthn: true } as never,
  });
  assert.deepEqual([samlOn.enabled, samlOn.allowIdpInitiated, samlOn.forceAuthn], [true, true, true]);
  const rawSaml = await apiFetch(edge, 'GET', `${base}/saml`);
  assert.equal(rawSaml.body.request_signing_certificate_pem, samlOn.requestSigningCertificatePem);
  assert.ok(!JSON.stringify(rawSaml.body).includes('PRIVATE KEY'), 'the signing key is never read back');
  assert.equal('request_signing_private_key' in rawSaml.body, false);
  await ngrok.edgeModules.edgeRouteSamlModule.delete({ edgeId: https.id, id: route.id });
  // Traffic Policy is not run by this edge yet: refused switched on, stored switched off.
  const rule = { name: 'deny bots', expressions: ["req.user_agent.contains('bot')"], actions: [{ type: 'deny' }] };
  assert.equal(
    (await apiFetch(edge, 'PUT', `${base}/policy`, { inbound: [rule] })).body.error_code,
    'ERR_MODULE_NOT_ENFORCED',
  );
  const policy = await apiFetch(edge, 'PUT', `${base}/policy`, { enabled: false, inbound: [rule] });
  assert.deepEqual(policy.body, {
    enabled: false,
    inbound: [
      { name: 'deny bots', expressions: ["req.user_agent.contains('bot')"], actions: [{ type: 'deny', config: null }] },
    ],
    outbound: [],
  });
  assert.deepEqual((await apiFetch(edge, 'GET', `${base}/policy`)).body, policy.body);
  assert.deepEqual((await apiFetch(edge, 'DELETE', `${base}/policy`)).body, {});

  // Bad module bodies.
  const rejects = async (path: string, body: unknown, code: string) =>
    assert.equal(
      (await apiFetch(edge, 'PUT', `${base}/${path}`, body)).body.error_code,
      code,
      `${path} ${JSON.stringify(body)}`,
    );
  await rejects('backend', { backend_id: 'bkdwd_00000000000000000000000000' }, 'ERR_NGROK_242');
  await rejects('backend', {}, 'ERR_NGROK_215');
  await rejects('ip_restriction', { ip_policy_ids: ['ipp_00000000000000000000000000'] }, 'ERR_NGROK_1607');
  await rejects('circuit_breaker', { error_threshold_percentage: 50 }, 'ERR_NGROK_215');
  await rejects('request_headers', { add: { 'bad header': 'x' } }, 'ERR_NGROK_215');
  await rejects('response_headers', { add: { 'x-ok': 'bell\x07' } }, 'ERR_NGROK_215');
  await rejects('webhook_verification', { provider: 'myspace', secret: 'x' }, 'ERR_NGROK_7030');
  await rejects('webhook_verification', { provider: 'github' }, 'ERR_NGROK_7027');
  await rejects('oauth', { provider: { google: {}, github: {} } }, 'ERR_NGROK_215');
  await rejects('oauth', { provider: { myspace: {} } }, 'ERR_NGROK_215');
  await rejects('oauth', { provider: { github: { client_id: 'only-id' } } }, 'ERR_NGROK_215');
  await rejects('oauth', { provider: { github: { email_domains: ['a.test'] } } }, 'ERR_OAUTH_MANAGED_APP_UNSUPPORTED');
  await rejects('oauth', { provider: { linkedin: { client_id: 'a', client_secret: 'b' } } }, 'ERR_MODULE_NOT_ENFORCED');
  await rejects('oidc', { issuer: 'not a url', client_id: 'a', client_secret: 'b' }, 'ERR_NGROK_215');
  await rejects('saml', { idp_metadata: 'hello' }, 'ERR_NGROK_215');
  await rejects('user_agent_filter', { deny: ['('] }, 'ERR_NGROK_215');
  await rejects('user_agent_filter', { allow: ['^(?!bot)'] }, 'ERR_NGROK_215');
  assert.equal((await apiFetch(edge, 'PUT', `${base}/webhook_verification`, { provider: 'sns' })).status, 200);
  assert.equal(
    (await apiFetch(edge, 'PUT', `/edges/https/${https.id}/routes/edghtsrt_00000000000000000000000000/compression`, {}))
      .status,
    404,
  );
  assert.equal((await apiFetch(edge, 'GET', `${base}/nonsense`)).status, 404);
});

test('traffic_policy on routes: refused switched on (no Traffic Policy engine), accepted off; its module paths answer', async (t) => {
  const edge = await startTestEdge(t);
  const https = await apiClient(edge).edges.edgesHttps.create({ description: 'traffic policy' });
  const routes = `/edges/https/${https.id}/routes`;
  const value = '{"on_http_request":[{"actions":[{"type":"deny"}]}]}';
  const refusedOn = (res: { status: number; body: Record<string, unknown> }, what: string) => {
    assert.equal(res.status, 400, what);
    assert.equal(res.body.error_code, 'ERR_MODULE_NOT_ENFORCED', what);
    assert.match(String(res.body.msg), /^traffic_policy: Traffic Policy is not enforced by this edge/, what);
  };
  // `enabled` absent means on, as for every module.
  for (const on of [{ value }, { enabled: true, value }, { enabled: null, value: '' }]) {
    refusedOn(
      await apiFetch(edge, 'POST', routes, { match_type: 'path_prefix', match: '/', traffic_policy: on }),
      'create',
    );
  }
  assert.deepEqual((await apiFetch(edge, 'GET', `/edges/https/${https.id}`)).body.routes, [], 'nothing stored');
  const offs = [null, { enabled: false }, { enabled: false, value }];
  for (const [i, off] of offs.entries()) {
    const made = await apiFetch(edge, 'POST', routes, {
      match_type: 'exact_path',
      match: `/${i}`,
      traffic_policy: off,
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.traffic_policy, null);
  }
  const [first] = (await apiFetch(edge, 'GET', `/edges/https/${https.id}`)).body.routes as Array<{ id: string }>;
  const route = `${routes}/${first!.id}`;
  refusedOn(await apiFetch(edge, 'PATCH', route, { description: 'x', traffic_policy: { value } }), 'update');
  assert.equal((await apiFetch(edge, 'GET', route)).body.description, '', 'a refused PATCH changes nothing');
  assert.equal((await apiFetch(edge, 'PATCH', route, { traffic_policy: { enabled: false } })).status, 200);

  // ngrok's module paths: PUT on refused, PUT off a no-op, GET the 404 of an unset module, DELETE a no-op.
  const path = `${route}/traffic_policy`;
  refusedOn(await apiFetch(edge, 'PUT', path, { enabled: true, value }), 'PUT');
  refusedOn(await apiFetch(edge, 'PUT', path, { module: { value } }), 'PUT wrapped as the TS client wraps modules');
  assert.deepEqual((await apiFetch(edge, 'PUT', path, { enabled: false, value })).body, { enabled: false, value });
  const get = await apiFetch(edge, 'GET', path);
  assert.equal(get.status, 404);
  assert.equal(get.body.status_code, 404);
  assert.match(String(get.body.msg), /traffic_policy/);
  assert.deepEqual(await apiFetch(edge, 'DELETE', path), { status: 200, body: {} });
  assert.equal((await apiFetch(edge, 'GET', route)).body.traffic_policy, null);
  assert.equal(
    (await apiFetch(edge, 'PUT', `${routes}/edghtsrt_00000000000000000000000000/traffic_policy`, {})).status,
    404,
  );
});

test('a module name the resource does not have is refused; other unknown fields are still ignored', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { policyId, caId } = await fixtures(edge, ngrok);
  const refused = async (path: string, body: Record<string, unknown>, field: string) => {
    const res = await apiFetch(edge, 'POST', path, body);
    assert.equal(res.status, 400, `${path} ${field}`);
    assert.equal(res.body.error_code, 'ERR_NGROK_215', `${path} ${field}`);
    assert.match(String(res.body.msg), new RegExp(`^${field}: this resource has no ${field} module`), field);
  };
  // An HTTPS edge has mutual_tls and tls_termination; route modules belong on its routes.
  await refused('/edges/https', { ip_restriction: { ip_policy_ids: [policyId] } }, 'ip_restriction');
  await refused('/edges/https', { oauth: { enabled: false } }, 'oauth');
  await refused('/edges/https', { traffic_policy: { enabled: false } }, 'traffic_policy');
  const https = await ngrok.edges.edgesHttps.create({});
  await refused(
    `/edges/https/${https.id}/routes`,
    { match_type: 'path_prefix', match: '/', mutual_tls: { certificate_authority_ids: [caId] } },
    'mutual_tls',
  );
  await refused('/edges/tcp', { tls_termination: { terminate_at: 'edge' } }, 'tls_termination');
  await refused('/edges/tcp', { oauth: { provider: { github: {} } } }, 'oauth');
  await refused('/edges/tls', { compression: { enabled: true } }, 'compression');
  const patched = await apiFetch(edge, 'PATCH', `/edges/https/${https.id}`, { circuit_breaker: { enabled: true } });
  assert.equal(patched.body.error_code, 'ERR_NGROK_215');
  assert.equal('circuit_breaker' in (await apiFetch(edge, 'GET', `/edges/https/${https.id}`)).body, false);
  // null is "not set", and fields that name no module (Terraform's legacy ones) stay ignored.
  const lenient = await apiFetch(edge, 'POST', '/edges/https', {
    ip_restriction: null,
    name: 'legacy',
    https_endpoint_configuration_id: 'ec_x',
  });
  assert.equal(lenient.status, 201, JSON.stringify(lenient.body));
});

test('oauth refuses what it would not check: teams/organizations off GitHub, auth_check_interval under 180', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const https = await ngrok.edges.edgesHttps.create({});
  const route = await ngrok.edges.edgesHttpsRoutes.create({ edgeId: https.id, matchType: 'path_prefix', match: '/' });
  const oauth = ngrok.edgeModules.edgeRouteOAuthModule;
  const app = { clientId: 'id', clientSecret: 'secret' };
  const refusal = (field: RegExp) => (e: { errorCode?: string; msg?: string }) =>
    e.errorCode === 'ERR_NGROK_215' && field.test(e.msg ?? '');

  // Only GitHub has organizations and teams; the client's types know it, the wire does not.
  for (const key of ['organizations', 'teams']) {
    const res = await apiFetch(edge, 'PUT', `/edges/https/${https.id}/routes/${route.id}/oauth`, {
      provider: { google: { client_id: 'id', client_secret: 'secret', [key]: ['acme'] } },
    });
    assert.equal(res.body.error_code, 'ERR_NGROK_215', key);
    assert.match(String(res.body.msg), new RegExp(`^provider\\.google\\.${key}: only the github provider has ${key}`));
  }
  const emptyTeams = await apiFetch(edge, 'PUT', `/edges/https/${https.id}/routes/${route.id}/oauth`, {
    provider: { google: { client_id: 'id', client_secret: 'secret', teams: [], organizations: null } },
  });
  assert.equal(emptyTeams.status, 200, JSON.stringify(emptyTeams.body));
  const github = await oauth.replace({
    edgeId: https.id,
    id: route.id,
    module: { provider: { github: { ...app, teams: ['acme/devs'], organizations: ['acme'] } } } as never,
  });
  assert.deepEqual([github.provider.github?.teams, github.provider.github?.organizations], [['acme/devs'], ['acme']]);

  // auth_check_interval: 0 or absent is the default (180); 1..179 refused, not raised in silence.
  for (const seconds of [1, 60, 179]) {
    await assert.rejects(
      oauth.replace({
        edgeId: https.id,
        id: route.id,
        module: { provider: { google: app }, authCheckInterval: seconds } as never,
      }),
      refusal(/^auth_check_interval: .*minimum of 180 seconds/),
      String(seconds),
    );
  }
  await assert.rejects(
    ngrok.edges.edgesHttpsRoutes.update({
      edgeId: https.id,
      id: route.id,
      matchType: 'path_prefix',
      match: '/',
      oauth: { provider: { google: app }, authCheckInterval: 30 } as never,
    }),
    refusal(/^oauth\.auth_check_interval: /),
  );
  for (const seconds of [0, 180, 3600]) {
    const stored = await oauth.replace({
      edgeId: https.id,
      id: route.id,
      module: { provider: { google: app }, authCheckInterval: seconds } as never,
    });
    assert.equal(stored.authCheckInterval, seconds);
  }
});

test('header modules and HTTP-response backends refuse framing headers; the backend refuses 1xx statuses', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const https = await ngrok.edges.edgesHttps.create({});
  const route = await ngrok.edges.edgesHttpsRoutes.create({ edgeId: https.id, matchType: 'path_prefix', match: '/' });
  const ids = { edgeId: https.id, id: route.id };
  const { edgeRouteRequestHeadersModule: request, edgeRouteResponseHeadersModule: response } = ngrok.edgeModules;
  const refused = (field: RegExp) => (e: { errorCode?: string; msg?: string }) =>
    e.errorCode === 'ERR_NGROK_215' && field.test(e.msg ?? '');
  // The client rewrites capitals in map keys (X-A → _x-_a): names go lower-case through it, mixed-case raw.

  for (const mod of [request, response]) {
    for (const name of ['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'upgrade']) {
      await assert.rejects(
        mod.replace({ ...ids, module: { add: asMap({ [name]: '5' }), remove: [] } }),
        refused(new RegExp(`^add\\.${name}: "${name}" frames the message`)),
        name,
      );
      await assert.rejects(
        mod.replace({ ...ids, module: { add: asMap({}), remove: ['x-ok', name] } }),
        refused(/^remove\[1\]: .* cannot be removed/),
        name,
      );
    }
  }
  await assert.rejects(
    request.replace({ ...ids, module: { add: asMap({}), remove: ['Host'] } }),
    refused(/^remove\[0\]: .*"host"/),
  );
  const mixed = await apiFetch(edge, 'PUT', `/edges/https/${https.id}/routes/${route.id}/request_headers`, {
    add: { 'Content-Length': '5' },
  });
  assert.equal(mixed.body.error_code, 'ERR_NGROK_215');
  assert.match(String(mixed.body.msg), /^add\.Content-Length: "content-length" frames the message/);
  await assert.rejects(
    ngrok.edges.edgesHttpsRoutes.update({
      ...ids,
      matchType: 'path_prefix',
      match: '/',
      responseHeaders: { add: asMap({ 'content-length': '0' }), remove: [] },
    }),
    refused(/^response_headers\.add\.content-length: /),
  );
  // Host may be set (a host rewrite); ordinary headers as before.
  await request.replace({ ...ids, module: { add: asMap({ host: 'internal.test', 'x-a': '1' }), remove: ['x-b'] } });
  const stored = await apiFetch(edge, 'GET', `/edges/https/${https.id}/routes/${route.id}/request_headers`);
  assert.deepEqual(stored.body, { enabled: true, add: { host: 'internal.test', 'x-a': '1' }, remove: ['x-b'] });

  const backends = ngrok.backends.httpResponseBackends;
  const raw = await apiFetch(edge, 'POST', '/backends/http_response', { headers: { 'Content-Length': '99' } });
  assert.equal(raw.body.error_code, 'ERR_NGROK_215');
  assert.match(String(raw.body.msg), /^headers\.Content-Length: "content-length" frames the message/);
  await assert.rejects(
    backends.create({ body: 'hi', headers: asMap({ 'transfer-encoding': 'chunked' }), statusCode: 200 }),
    refused(/^headers\.transfer-encoding: /),
  );
  for (const statusCode of [100, 101, 103, 199]) {
    await assert.rejects(
      backends.create({ body: '', headers: asMap({}), statusCode }),
      refused(/^status_code: .* use 200 to 599/),
      String(statusCode),
    );
  }
  const made = await backends.create({ body: 'hi', headers: asMap({ 'x-ok': '1' }), statusCode: 200 });
  await assert.rejects(backends.update({ id: made.id, statusCode: 101 }), refused(/^status_code: /));
  await assert.rejects(
    backends.update({ id: made.id, headers: asMap({ connection: 'close' }) }),
    refused(/^headers\.connection: /),
  );
  assert.equal((await backends.update({ id: made.id, statusCode: 204 })).statusCode, 204);
});
