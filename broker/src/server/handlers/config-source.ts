/** Kafka's DescribeConfigsResponse ConfigSource numbers for where a value comes from. */
export const CONFIG_SOURCE = {
  topic: 1, // TOPIC_CONFIG
  dynamicDefaultBroker: 3, // DYNAMIC_DEFAULT_BROKER_CONFIG
  broker: 4, // STATIC_BROKER_CONFIG
  default: 5, // DEFAULT_CONFIG
} as const;

/** Kafka's ConfigResource types. */
export const RESOURCE_TYPE = {
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
} as const;
