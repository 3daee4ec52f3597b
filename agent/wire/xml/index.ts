// The XML layer under both wire codecs (agent/wire/wusp and agent/wire/ccm):
// one writer, one hardened reader, one set of typed-value parsers.
export * from './writer.js';
export * from './reader.js';
export * from './scalars.js';
