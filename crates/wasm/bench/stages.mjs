// Generated stage documents shared by the benchmark and the npm tests.

const LEVELS = ['OFF', 'ERROR', 'INFO'];

/** A GetStage document with `n` method settings (the shape AWS returns: every default field present). */
export function generateStage(n, seed = 1) {
  const methodSettings = {
    '*/*': {
      metricsEnabled: false, dataTraceEnabled: false, throttlingBurstLimit: 5000, throttlingRateLimit: 10000.0,
      cachingEnabled: false, cacheTtlInSeconds: 300, cacheDataEncrypted: false,
      requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
    },
  };
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ANY'];
  for (let i = 1; i < n; i++) {
    const key = `~1api~1v${i % 7}~1resource${i}~1{id}/${methods[(i * seed) % methods.length]}`;
    methodSettings[key] = {
      metricsEnabled: i % 2 === 0,
      loggingLevel: LEVELS[i % 3],
      dataTraceEnabled: i % 5 === 0,
      throttlingBurstLimit: 100 + (i % 900),
      throttlingRateLimit: 50.5 + (i % 300),
      cachingEnabled: i % 3 === 0,
      cacheTtlInSeconds: (i * 7) % 3600,
      cacheDataEncrypted: i % 4 === 0,
      requireAuthorizationForCacheControl: true,
      unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
    };
  }
  return {
    deploymentId: 'abc123',
    stageName: 'prod',
    description: 'production',
    cacheClusterEnabled: true,
    cacheClusterSize: '0.5',
    cacheClusterStatus: 'AVAILABLE',
    methodSettings,
    variables: { backend: 'api.example.com', version: 'v1' },
    accessLogSettings: {
      format: '$context.requestId $context.status',
      destinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:api-logs',
    },
    tracingEnabled: false,
    createdDate: 1700000000,
    lastUpdatedDate: 1700000100,
  };
}

/** `before` changed in about 10% of its method settings, plus the deployment and a variable. */
export function changeStage(before) {
  const after = structuredClone(before);
  after.deploymentId = 'def456';
  after.variables.version = 'v2';
  let i = 0;
  for (const [key, ms] of Object.entries(after.methodSettings)) {
    if (key !== '*/*' && i % 10 === 3) {
      ms.cacheTtlInSeconds = (ms.cacheTtlInSeconds + 60) % 3600;
      ms.loggingLevel = 'ERROR';
    }
    i++;
  }
  return after;
}
