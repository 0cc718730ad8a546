import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';

/** ApiVersions lists every handler's range; it needs the registry, so it is built last. */
export function apiVersionsHandler(registry: () => Array<{ apiKey: number; minVersion: number; maxVersion: number }>): ApiHandler {
  return {
    apiKey: ApiKey.ApiVersions,
    minVersion: 0,
    maxVersion: 3,
    handle: () => ({
      errorCode: ErrorCode.NONE,
      apiKeys: registry(),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    }),
  };
}
