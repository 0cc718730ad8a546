import { isIP } from 'node:net';

/**
 * Addresses a crawler must not reach unless a crawl allows it explicitly: loopback, private,
 * link-local (cloud metadata lives there), carrier-grade NAT, unique-local, multicast, unspecified.
 */
const BLOCKED_V4: Array<[number, number]> = [
  [0x00000000, 8], // 0.0.0.0/8
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10
  [0x7f000000, 8], // 127/8
  [0xa9fe0000, 16], // 169.254/16
  [0xac100000, 12], // 172.16/12
  [0xc0000000, 24], // 192.0.0/24
  [0xc0a80000, 16], // 192.168/16
  [0xc6120000, 15], // 198.18/15
  [0xe0000000, 4], // multicast 224/4
  [0xf0000000, 4], // reserved 240/4
];

function v4ToNumber(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

function blockedV4(address: string): boolean {
  const value = v4ToNumber(address);
  return BLOCKED_V4.some(([network, bits]) => {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return ((value & mask) >>> 0) === network;
  });
}

function expandV6(address: string): number[] {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [parseInt(group, 16)];
      const v4 = v4ToNumber(group);
      return [v4 >>> 16, v4 & 0xffff];
    });
  };
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headGroups = toGroups(head);
  if (tail === undefined) return headGroups;
  const tailGroups = toGroups(tail);
  return [...headGroups, ...Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups];
}

function blockedV6(address: string): boolean {
  const g = expandV6(address);
  if (g.every((part) => part === 0)) return true; // ::
  if (g.slice(0, 7).every((part) => part === 0) && g[7] === 1) return true; // ::1
  if (g.slice(0, 5).every((part) => part === 0) && g[5] === 0xffff) {
    return blockedV4(`${g[6]! >>> 8}.${g[6]! & 0xff}.${g[7]! >>> 8}.${g[7]! & 0xff}`); // IPv4-mapped
  }
  const first = g[0]!;
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00; // fc00::/7, fe80::/10, ff00::/8
}

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blockedV4(address);
  if (family === 6) return blockedV6(address);
  return true;
}

export class BlockedAddressError extends Error {
  constructor(readonly host: string, readonly address: string) {
    super(`refusing to fetch ${host}: it resolves to ${address}, a private or loopback address (allow it with --allow-private-addresses)`);
    this.name = 'BlockedAddressError';
  }
}
