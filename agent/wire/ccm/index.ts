// The CCM (management point) wire codec: framing, <Msg> header, signatures
// and bodies, plus the two calls a transport or the stub needs per message.

import type { KeyObject } from 'node:crypto';
import { WireError } from '../errors.js';
import { encodeMessage, decodeMessage, packBody, type EncodedMessage, type FrameLimits } from './framing.js';
import { decodeHeader, encodeHeader, type MsgHeader } from './header.js';
import { signMessage, verifyMessage, type ClientKey } from './signing.js';
import { refuseUndeclaredReferences } from './xml.js';

export * from './framing.js';
export * from './header.js';
export * from './signing.js';
export * from './bodies.js';
export * from './policy.js';
export * from './schedule-token.js';
export { toDmtf, fromDmtf, toIsoSeconds, refuseUndeclaredReferences, rootElementName, parseXml } from './xml.js';

export interface BuildMessageInput {
  /** Body Length, Hook3 and (when signing) the clientauth hook are filled in here. */
  readonly header: MsgHeader;
  readonly body: string;
  /** Sign with this key (needs header.sourceId). A cached ClientIDSignature saves one RSA operation. */
  readonly signer?: { readonly key: ClientKey; readonly clientIdSignature?: string };
  /** zlib level (default: zlib's default). */
  readonly level?: number;
}

/** Packs the body, signs it when asked, completes the header and frames both. */
export function buildMessage(m: BuildMessageInput): EncodedMessage & { readonly header: MsgHeader } {
  const packed = packBody(m.body, m.level);
  let clientAuth = m.header.clientAuth;
  if (m.signer !== undefined) {
    if (m.header.sourceId === null) throw new WireError('SUCA_ERR_WIRE_FIELD', 'cannot sign a message without SourceID', 'Msg/SourceID');
    clientAuth = signMessage(m.signer.key, {
      clientId: m.header.sourceId,
      bodyPart: packed.compressed,
      authSenderMachine: m.header.sourceHost ?? '',
      ...(m.signer.clientIdSignature !== undefined ? { clientIdSignature: m.signer.clientIdSignature } : {}),
    });
  }
  const header: MsgHeader = { ...m.header, body: { type: 'ByteRange', length: packed.length, offset: 0 }, zlibCompress: true, clientAuth };
  return { ...encodeMessage({ header: encodeHeader(header), body: packed }), header };
}

export interface OpenedMessage {
  readonly header: MsgHeader;
  readonly body: string;
  readonly attachment: Buffer | null;
  /** Part 2 as received (what PayloadSignature covers). */
  readonly bodyPart: Buffer;
}

export interface OpenMessageOptions {
  readonly limits?: FrameLimits;
  /** Verify the clientauth hook: true (with the header's key) or the key the client registered. */
  readonly verify?: boolean | KeyObject;
}

/**
 * Decodes framing and header, checks the Body byte range lies inside the
 * body, and verifies the signature when asked. The body is read from offset 0
 * up to its NUL (every public sample has Offset 0).
 */
export function openMessage(contentType: string, payload: Buffer, opts: OpenMessageOptions = {}): OpenedMessage {
  const d = decodeMessage(contentType, payload, opts.limits);
  const header = decodeHeader(d.header);
  refuseUndeclaredReferences(d.header, 'Msg');
  if (header.body.offset + header.body.length > d.bodyBytes) {
    throw new WireError('SUCA_ERR_WIRE_FIELD', `Body range ${header.body.offset}+${header.body.length} exceeds the ${d.bodyBytes} body bytes`, 'Msg/Body/@Length');
  }
  if (opts.verify !== undefined && opts.verify !== false) verifyMessage(header, d.bodyPart, opts.verify === true ? undefined : opts.verify);
  return { header, body: d.body, attachment: d.attachment, bodyPart: d.bodyPart };
}
