// Errors of the stub servers: stable codes, decided on by code (never by message text).

export type StubServerErrorCode =
  /** more SUPs or DPs than the embedded servers listen for (a port each: MAX_SERVERS_PER_ROLE) */
  'SUCA_ERR_STUB_TOO_MANY_SERVERS';

export class StubServerError extends Error {
  constructor(readonly code: StubServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StubServerError';
  }
}
