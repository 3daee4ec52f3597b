// Numbers from ../shared/reference/client-behaviour.md. Times are milliseconds.

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** State message topic types (client-behaviour.md section 2). 502 is server-side and never sent by a client. */
export const TOPIC = {
  ASSIGNMENT_COMPLIANCE: 300,
  ASSIGNMENT_ENFORCEMENT: 301,
  ASSIGNMENT_EVALUATION: 302,
  CI_ENFORCEMENT: 402,
  UPDATE_DETECTION: 500,
  UPDATE_SOURCE_SCAN: 501,
} as const;

/** 500 UPDATE_DETECTION state IDs; also the compliance states the MP shows. */
export const DETECT = { UNKNOWN: 0, NOT_REQUIRED: 1, REQUIRED: 2, INSTALLED: 3 } as const;
/** 501 UPDATE_SOURCE_SCAN state IDs. */
export const SCAN_STATE = { UNKNOWN: 0, WAITING_LOCATION: 1, RUNNING: 2, COMPLETED: 3, PENDING_RETRY: 4, FAILED: 5, COMPLETED_WITH_ERRORS: 6 } as const;
/** 300 SUM_ASSIGNMENT_COMPLIANCE. */
export const COMPLIANCE = { UNKNOWN: 0, COMPLIANT: 1, NON_COMPLIANT: 2, CONFLICT: 3 } as const;
/** 301 ASSIGNMENT_ENFORCEMENT. */
export const ENFORCE = {
  UNKNOWN: 0, INSTALLING: 1, WAITING_RESTART: 2, WAITING_OTHER_INSTALL: 3, INSTALLED: 4, PENDING_RESTART: 5,
  INSTALL_FAILED: 6, DOWNLOADING: 7, DOWNLOADED: 8, DOWNLOAD_FAILED: 9, WAITING_MW: 10, WAITING_ORCHESTRATION: 11,
} as const;
/** 302 ASSIGNMENT_EVALUATION. */
export const EVAL = { UNKNOWN: 0, ACTIVATED: 1, SUCCEEDED: 2, FAILED: 3 } as const;
/** 402 CI_ENFORCEMENT. */
export const CI_ENFORCE = {
  UNKNOWN: 0, STARTED: 1, WAITING_CONTENT: 2, WAITING_OTHER_INSTALL: 3, WAITING_MW: 4, RESTART_BEFORE_INSTALL: 5,
  GENERAL_FAILURE: 6, PENDING_INSTALL: 7, INSTALLING: 8, PENDING_RESTART: 9, INSTALLED: 10, INSTALL_FAILED: 11,
  DOWNLOADING: 12, DOWNLOADED: 13, DOWNLOAD_FAILED: 14,
} as const;

/** HRESULTs the real client reports. Codes are unsigned 32-bit numbers everywhere in the project. */
export const HR = {
  PT_HTTP_STATUS_REQUEST_TIMEOUT: 0x8024401c, // HTTP 408 (WUA networking error codes); a scan-retry code
  PT_HTTP_STATUS_SERVICE_UNAVAIL: 0x80244022, // HTTP 503
  PT_EXCEEDED_MAX_SERVER_TRIPS: 0x80244010,
  PT_HTTP_STATUS_DENIED: 0x8024401b,
  PT_SOAPCLIENT_PARSE: 0x8024400a, // the SOAP client could not parse the server's response
  PT_SOAPCLIENT_SOAPFAULT: 0x8024400e, // the server answered with a SOAP fault
  PT_HTTP_STATUS_NOT_MAPPED: 0x8024402b,
  WINHTTP_NAME_NOT_RESOLVED: 0x80072ee7,
  WINHTTP_SECURE_FAILURE: 0x80072f8f,
  WINHTTP_CANNOT_CONNECT: 0x80072efd,
  WINHTTP_CONNECTION_ERROR: 0x80072efe,
  WINHTTP_TIMEOUT: 0x80072ee2, // NOT a scan-retry code: clients never switch SUP on it
  DOWNLOAD_FAILED: 0x80070002, // file not found on the DP
  CONTENT_NOT_FOUND: 0x87d00607, // no DP has the content: a download's location timed out
  MP_UNREACHABLE: 0x80072efd,
} as const;

/** Default WSUSScanRetryCodes (client-behaviour.md section 3). 0x80072EE2 is deliberately absent. */
export const DEFAULT_SCAN_RETRY_CODES: readonly number[] = [
  HR.PT_HTTP_STATUS_REQUEST_TIMEOUT,
  HR.PT_HTTP_STATUS_SERVICE_UNAVAIL,
  HR.PT_EXCEEDED_MAX_SERVER_TRIPS,
  HR.WINHTTP_CANNOT_CONNECT,
  HR.WINHTTP_CONNECTION_ERROR,
  HR.PT_SOAPCLIENT_PARSE,
];

export function hresultHex(code: number): string {
  return '0x' + (code >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
