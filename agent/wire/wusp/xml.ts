// The MS-WUSP codec's view of the shared XML layer (agent/wire/xml): kept so
// the codec's imports read as before.
export { XmlWriter, escapeText, escapeAttr, type XmlAttrs } from '../xml/writer.js';
export { parseXml, checkSize, decodeCharData, namespaceOf, isNil, type XNode } from '../xml/reader.js';
