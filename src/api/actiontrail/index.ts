/** Every ActionTrail 2020-07-06 action Rampart serves. */
import type { AnyActionDefinition } from '../registry.js';
import lookupEvents from './lookup-events.js';

export const actiontrailActions: readonly AnyActionDefinition[] = [lookupEvents];
