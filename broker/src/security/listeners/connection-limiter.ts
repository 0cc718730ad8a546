import type { SecurityConfig } from '../security-config.ts';

/** max.connections.per.ip: counts open connections per address across every listener. */
export class ConnectionLimiter {
  private readonly open = new Map<string, number>();

  constructor(private readonly security: SecurityConfig) {}

  /** Counts the connection in, or returns false when the address is already at its limit. */
  tryAcquire(address: string): boolean {
    const limit = this.security.maxConnectionsPerIpOverrides.get(address) ?? this.security.maxConnectionsPerIp;
    const count = this.open.get(address) ?? 0;
    if (count >= limit) return false;
    this.open.set(address, count + 1);
    return true;
  }

  release(address: string): void {
    const count = (this.open.get(address) ?? 1) - 1;
    if (count <= 0) this.open.delete(address);
    else this.open.set(address, count);
  }
}
