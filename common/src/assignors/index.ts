export * from './assignor.ts';
export { rangeAssignor } from './range.ts';
export { roundRobinAssignor } from './round-robin.ts';
export { stickyAssignor, cooperativeStickyAssignor } from './sticky.ts';
