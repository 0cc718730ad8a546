export * from './config.ts';
export * from './collector.ts';
export * from './tracking-event.ts';
export { snippet } from './snippet.ts';
export { TRANSPARENT_GIF } from './routes/pixel.ts';
export type { HealthReport } from './routes/health.ts';
