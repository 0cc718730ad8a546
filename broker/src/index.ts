export { Broker, type BrokerOptions } from './broker.ts';
export { brokerSchema, brokerConfigFrom, type BrokerConfig } from './server/broker-config.ts';
export { assignReplicas, type PlacementBroker } from './controller/replica-placement.ts';
