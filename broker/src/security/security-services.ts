import type { Logger } from '@tributary/common';
import type { MetadataStore } from '../metadata/types.ts';
import { Authorizer } from './authorizer/authorizer.ts';
import { QuotaManager } from './quota/quota-manager.ts';
import { CredentialStore } from './sasl/credential-store.ts';
import type { SecurityConfig } from './security-config.ts';

/** The security parts request handlers use. */
export interface SecurityServices {
  credentials: CredentialStore;
  authorizer: Authorizer;
  quotas: QuotaManager;
}

export function createSecurityServices(metadata: MetadataStore, config: SecurityConfig, log: Logger): SecurityServices {
  return {
    credentials: new CredentialStore(metadata),
    authorizer: new Authorizer(metadata, config, log.child({ component: 'authorizer' })),
    quotas: new QuotaManager(metadata, config),
  };
}
