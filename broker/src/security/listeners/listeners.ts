import type { ListenerEndpoint } from '../../metadata/types.ts';
import type { SecurityConfig } from '../security-config.ts';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
const PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export interface Listener {
  name: string;
  protocol: SecurityProtocol;
  host: string;
  port: number;
}

export const usesTls = (protocol: SecurityProtocol) => protocol === 'SSL' || protocol === 'SASL_SSL';
export const usesSasl = (protocol: SecurityProtocol) => protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

function protocolMap(text: string): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const pair of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name, protocol] = pair.split(':') as [string, string | undefined];
    if (!protocol || !PROTOCOLS.includes(protocol as SecurityProtocol)) {
      throw new Error(`listener.security.protocol.map entry '${pair}' is not NAME:PROTOCOL with PROTOCOL one of ${PROTOCOLS.join(', ')}`);
    }
    map.set(name.toUpperCase(), protocol as SecurityProtocol);
  }
  return map;
}

/** "NAME://HOST:PORT,..." as Kafka writes listeners; an empty host means every interface. */
function parseEndpoints(setting: string, text: string): Array<{ name: string; host: string; port: number }> {
  return text.split(',').map((part) => part.trim()).filter(Boolean).map((entry) => {
    const match = /^([A-Za-z0-9_]+):\/\/(\[[0-9a-fA-F:]+\]|[^:]*):(\d{1,5})$/.exec(entry);
    if (!match) throw new Error(`${setting} entry '${entry}' is not NAME://HOST:PORT (e.g. SASL_SSL://0.0.0.0:9093)`);
    return { name: match[1]!.toUpperCase(), host: match[2]!.replace(/^\[|\]$/g, ''), port: Number(match[3]) };
  });
}

/** The listeners to bind; without `listeners` the legacy host/port is one PLAINTEXT listener. */
export function parseListeners(security: SecurityConfig, host: string, port: number): Listener[] {
  if (!security.listeners) return [{ name: 'PLAINTEXT', protocol: 'PLAINTEXT', host, port }];
  const protocols = protocolMap(security.protocolMap);
  const listeners = parseEndpoints('listeners', security.listeners).map(({ name, host: bindHost, port: bindPort }) => {
    const protocol = protocols.get(name);
    if (!protocol) throw new Error(`listener ${name} has no security protocol: add ${name}:<PROTOCOL> to listener.security.protocol.map`);
    return { name, protocol, host: bindHost || '0.0.0.0', port: bindPort };
  });
  const names = new Set<string>();
  for (const listener of listeners) {
    if (names.has(listener.name)) throw new Error(`listener ${listener.name} appears twice in listeners: give each listener its own name`);
    names.add(listener.name);
  }
  if (security.interBrokerListenerName && !names.has(security.interBrokerListenerName.toUpperCase())) {
    throw new Error(`inter.broker.listener.name ${security.interBrokerListenerName} is not one of the listeners (${[...names].join(', ')})`);
  }
  return listeners;
}

/** What Metadata tells clients per listener, once the bound ports are known. */
export function advertisedEndpoints(security: SecurityConfig, bound: Array<Listener & { boundPort: number }>, advertisedHost: string): ListenerEndpoint[] {
  const advertised = new Map(parseEndpoints('advertised.listeners', security.advertisedListeners ?? '').map((entry) => [entry.name, entry]));
  for (const name of advertised.keys()) {
    if (!bound.some((listener) => listener.name === name)) throw new Error(`advertised.listeners names ${name}, which is not in listeners`);
  }
  return bound.map((listener) => {
    const entry = advertised.get(listener.name);
    return {
      listenerName: listener.name,
      securityProtocol: listener.protocol,
      host: entry?.host || advertisedHost,
      port: entry ? entry.port : listener.boundPort,
    };
  });
}

/** The endpoint of `listenerName` for a broker (the legacy host/port when it registered none). */
export function endpointFor(broker: { host: string; port: number; endpoints?: ListenerEndpoint[] }, listenerName: string): { host: string; port: number } {
  return broker.endpoints?.find((endpoint) => endpoint.listenerName === listenerName) ?? broker;
}
