export * from './client.ts';
export { platformaticAssigner } from './assigner.ts';
