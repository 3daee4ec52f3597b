// Wire errors: a payload that cannot be decoded or a value that cannot be
// encoded. Stable codes; callers (the stub servers, the HTTP transport)
// decide on `code`, never on message text. `where` names the element,
// header or byte range at fault so a 4xx body can say what is wrong.

export type WireErrorCode =
  | 'SUCA_ERR_WIRE_XML' // not well-formed XML, or a DOCTYPE/entity declaration (refused: XXE, entity expansion)
  | 'SUCA_ERR_WIRE_SOAP' // not a SOAP 1.1 envelope, or no body
  | 'SUCA_ERR_WIRE_SOAPACTION' // SOAPAction missing, unquoted where required, or not the body's operation
  | 'SUCA_ERR_WIRE_OPERATION' // an operation this codec does not know
  | 'SUCA_ERR_WIRE_FIELD' // a required element or attribute missing or of the wrong form
  | 'SUCA_ERR_WIRE_MULTIPART' // broken multipart/mixed framing
  | 'SUCA_ERR_WIRE_ENCODING' // bad UTF-16LE, BOM, zlib stream or base64/hex
  | 'SUCA_ERR_WIRE_SIGNATURE' // a signature that does not verify, or a malformed key blob
  | 'SUCA_ERR_WIRE_TOO_LARGE'; // a payload over the configured size limit

export class WireError extends Error {
  constructor(readonly code: WireErrorCode, message: string, readonly where: string = '', options?: { cause?: unknown }) {
    super(where ? `${where}: ${message}` : message, options);
    this.name = 'WireError';
  }
}

/** Default upper bound of any single payload the codecs accept (bytes). */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;
