export * from './logger.ts';
export * from './config/index.ts';
export * from './assignors/index.ts';
