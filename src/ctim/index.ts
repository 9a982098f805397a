// CTIM: the threat-intel data model Threat Response speaks. Imports nothing of ours.
export * from './dispositions.js';
export * from './ids.js';
export * from './entities.js';
export * from './verdict.js';
