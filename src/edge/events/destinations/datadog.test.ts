import assert from 'node:assert/strict';
import test from 'node:test';
import { datadogIntakeUrl } from './datadog.ts';

test('Datadog intake URL from ddsite: a site, a region name, or the default', () => {
  assert.equal(datadogIntakeUrl(''), 'https://http-intake.logs.datadoghq.com/api/v2/logs');
  assert.equal(datadogIntakeUrl('datadoghq.eu'), 'https://http-intake.logs.datadoghq.eu/api/v2/logs');
  assert.equal(datadogIntakeUrl('us3.datadoghq.com'), 'https://http-intake.logs.us3.datadoghq.com/api/v2/logs');
  assert.equal(datadogIntakeUrl('EU1'), 'https://http-intake.logs.datadoghq.eu/api/v2/logs');
  assert.equal(datadogIntakeUrl('US1_FED'), 'https://http-intake.logs.ddog-gov.com/api/v2/logs');
  // Anything that is not a host name falls back to the default site rather than into the URL.
  assert.equal(datadogIntakeUrl('evil.com/x?'), 'https://http-intake.logs.datadoghq.com/api/v2/logs');
});
