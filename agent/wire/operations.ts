// The wire operations each typed request of the core stands for: what the
// HTTP transport times and counts, and what a scenario fault's `operation`
// names. One list for the agent and server-stub.

import type { Request } from '../core/types.js';

export const OPERATIONS_OF: Readonly<Record<Request['kind'], readonly string[]>> = {
  'policy.assignments': ['RequestAssignments'],
  'policy.body': ['PolicyBody'],
  'location.wsus': ['WSUSLocationRequest'],
  'location.content': ['ContentLocationRequest'],
  'wsus.scan': ['GetConfig', 'GetAuthorizationCookie', 'GetCookie', 'RegisterComputer', 'StartCategoryScan', 'SyncUpdates', 'GetExtendedUpdateInfo', 'ReportEventBatch'],
  'dp.download': ['GET', 'HEAD'],
  'state.report': ['Report'],
};
