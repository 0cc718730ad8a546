import type { MetadataStore } from '../../metadata/types.ts';
import { formatCredential, isScramMechanism, parseCredential, SCRAM_MECHANISMS, type ScramCredential, type ScramMechanism } from './scram-credential.ts';

/** SCRAM credentials as user entity configs in the metadata store (Kafka's /config/users/<user>). */
export class CredentialStore {
  constructor(private readonly metadata: MetadataStore) {}

  credential(user: string, mechanism: ScramMechanism): ScramCredential | null {
    return parseCredential(this.metadata.entityConfigs('users', user)[mechanism]);
  }

  /** Users with at least one credential, and their mechanisms with iterations. */
  all(): Map<string, Array<{ mechanism: ScramMechanism; iterations: number }>> {
    const users = new Map<string, Array<{ mechanism: ScramMechanism; iterations: number }>>();
    for (const [user, configs] of this.metadata.allEntityConfigs('users')) {
      const credentials = Object.entries(configs).flatMap(([key, value]) => {
        const parsed = isScramMechanism(key) ? parseCredential(value) : null;
        return parsed ? [{ mechanism: key as ScramMechanism, iterations: parsed.iterations }] : [];
      });
      if (credentials.length > 0) users.set(user, credentials);
    }
    return users;
  }

  async set(user: string, mechanism: ScramMechanism, credential: ScramCredential): Promise<void> {
    await this.metadata.alterEntityConfigs('users', user, { ...this.metadata.entityConfigs('users', user), [mechanism]: formatCredential(credential) });
  }

  /** Returns false when the user had no credential for the mechanism. */
  async delete(user: string, mechanism: ScramMechanism): Promise<boolean> {
    const configs = this.metadata.entityConfigs('users', user);
    if (!(mechanism in configs)) return false;
    delete configs[mechanism];
    await this.metadata.alterEntityConfigs('users', user, configs);
    return true;
  }

  /** Mechanisms strongest first, for PLAIN to check a password against. */
  strongest(user: string): { mechanism: ScramMechanism; credential: ScramCredential } | null {
    for (const mechanism of (Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]).reverse()) {
      const credential = this.credential(user, mechanism);
      if (credential) return { mechanism, credential };
    }
    return null;
  }
}
