import { ControlGraph1764201600000 } from './1764201600000-control-graph';

/** Every migration, in order. Listed explicitly so ts-jest and the built server load the same set. */
export const migrations = [ControlGraph1764201600000];
