// agent/wire/wusp: the MS-WUSP SOAP codec: missing or malformed required fields are
// refused naming the element.

import { describe, it } from 'vitest';
import {
  PATH_CLIENT, PATH_REPORTING, PATH_SIMPLE_AUTH, decodeRequest, decodeResponse, soapActionHeader, type WuspOperation,
} from '../agent/wire/wusp/codec.js';
import { fx, expectWire, CLIENT_ID, CAT_B } from './helpers/wusp-fixtures.js';

// ---- strict on what must be there ------------------------------------------------------

describe('WUSP: missing or malformed required fields name the element', () => {
  const req = (op: WuspOperation, file: string, edit: (s: string) => string, path = PATH_CLIENT) => () => decodeRequest(soapActionHeader(op), path, edit(fx(file)));
  const res = (op: WuspOperation, file: string, edit: (s: string) => string) => () => decodeResponse(op, edit(fx(file)));
  const drop = (name: string) => (s: string) => s.replace(new RegExp(`<${name}>[^<]*</${name}>|<${name}/>`), '');

  it('requests', () => {
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', drop('SkipSoftwareSync')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/SkipSoftwareSync');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', drop('ExpressQuery')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/ExpressQuery');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace(/<cookie>.*<\/cookie>/, '')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/cookie');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', drop('EncryptedData')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/cookie/EncryptedData');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace('<int>2002</int>', '<int>twenty</int>')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/OtherCachedUpdateIDs/int[1]');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace('<int>2002</int>', '<int>2147483648</int>')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/OtherCachedUpdateIDs/int[1]');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace('<SkipSoftwareSync>false', '<SkipSoftwareSync>no')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/SkipSoftwareSync');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace('c3VjYS1mbGVldCBzdHViIGNvb2tpZSAx', 'c3VjYS1mbGVldCBzdHViIGNvb2tpZSAx!')), 'SUCA_ERR_WIRE_ENCODING', 'SyncUpdates/cookie/EncryptedData');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace('<ExpressQuery>false', '<ExpressQuery><b>false</b>')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/ExpressQuery');
    expectWire(req('GetCookie', 'get-cookie.request.xml', drop('lastChange')), 'SUCA_ERR_WIRE_FIELD', 'GetCookie/lastChange');
    expectWire(req('GetCookie', 'get-cookie.request.xml', (s) => s.replace('<currentTime>2026-03-02T09:00:00Z', '<currentTime>yesterday')), 'SUCA_ERR_WIRE_FIELD', 'GetCookie/currentTime');
    expectWire(req('GetCookie', 'get-cookie.request.xml', (s) => s.replace(/<authCookies>.*<\/authCookies>/, '<authCookies/>')), 'SUCA_ERR_WIRE_FIELD', 'GetCookie/authCookies');
    expectWire(req('GetAuthorizationCookie', 'get-authorization-cookie.request.xml', drop('dnsName'), PATH_SIMPLE_AUTH), 'SUCA_ERR_WIRE_FIELD', 'GetAuthorizationCookie/dnsName');
    expectWire(req('GetAuthorizationCookie', 'get-authorization-cookie.request.xml', (s) => s.replace(CLIENT_ID, 'id with spaces'), PATH_SIMPLE_AUTH), 'SUCA_ERR_WIRE_FIELD', 'GetAuthorizationCookie/clientId');
    expectWire(req('RegisterComputer', 'register-computer.request.xml', drop('OSBuildNumber')), 'SUCA_ERR_WIRE_FIELD', 'RegisterComputer/computerInfo/OSBuildNumber');
    expectWire(req('StartCategoryScan', 'start-category-scan.request.xml', (s) => s.replace(CAT_B, 'not-a-guid')), 'SUCA_ERR_WIRE_FIELD', 'StartCategoryScan/requestedCategories/CategoryRelationship[1]/CategoryId');
    expectWire(req('GetExtendedUpdateInfo', 'get-extended-update-info.request.xml', (s) => s.replace(/<revisionIDs>.*<\/revisionIDs>/, '')), 'SUCA_ERR_WIRE_FIELD', 'GetExtendedUpdateInfo/revisionIDs');
    expectWire(req('GetExtendedUpdateInfo', 'get-extended-update-info.request.xml', (s) => s.replace('>Extended<', '>Everything<')), 'SUCA_ERR_WIRE_FIELD', 'GetExtendedUpdateInfo/infoTypes/XmlUpdateFragmentType[0]');
    expectWire(req('ReportEventBatch', 'report-event-batch.request.xml', (s) => s.replace('<EventID>161</EventID>', ''), PATH_REPORTING), 'SUCA_ERR_WIRE_FIELD', 'ReportEventBatch/eventBatch/ReportingEvent[2]/BasicData/EventID');
    expectWire(req('ReportEventBatch', 'report-event-batch.request.xml', (s) => s.replace('Amd64Compatible', 'Arm64'), PATH_REPORTING), 'SUCA_ERR_WIRE_FIELD', 'ReportEventBatch/eventBatch/ReportingEvent[0]/ExtendedData/ProcessorArchitecture');
    expectWire(req('ReportEventBatch', 'report-event-batch.request.xml', (s) => s.replace(/<Win32HResult>-2145107943<\/Win32HResult>/, ''), PATH_REPORTING), 'SUCA_ERR_WIRE_FIELD', 'ReportEventBatch/eventBatch/ReportingEvent[1]/BasicData/Win32HResult'); // the name of MS-WUSP 6.3 and WUA (Win32Hresult is still read)
  });

  it('responses', () => {
    expectWire(res('SyncUpdates', 'sync-updates-truncated.response.xml', (s) => s.replace(/<NewCookie>.*<\/NewCookie>/, '')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdatesResponse/SyncUpdatesResult/NewCookie');
    expectWire(res('SyncUpdates', 'sync-updates-truncated.response.xml', drop('Truncated')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdatesResponse/SyncUpdatesResult/Truncated');
    expectWire(res('SyncUpdates', 'sync-updates-truncated.response.xml', (s) => s.replace('<Action>Bundle', '<Action>Explode')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdatesResponse/SyncUpdatesResult/NewUpdates/UpdateInfo[1]/Deployment/Action');
    expectWire(res('SyncUpdates', 'sync-updates-truncated.response.xml', (s) => s.replace('<IsLeaf>true</IsLeaf>', '')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdatesResponse/SyncUpdatesResult/NewUpdates/UpdateInfo[1]/IsLeaf');
    expectWire(res('GetConfig', 'get-config.response.xml', drop('IsRegistrationRequired')), 'SUCA_ERR_WIRE_FIELD', 'GetConfigResponse/GetConfigResult/IsRegistrationRequired');
    expectWire(res('GetCookie', 'get-cookie.response.xml', (s) => s.replace(/<GetCookieResult>.*<\/GetCookieResult>/, '')), 'SUCA_ERR_WIRE_FIELD', 'GetCookieResponse/GetCookieResult');
    expectWire(res('GetExtendedUpdateInfo', 'get-extended-update-info.response.xml', (s) => s.replace('V2S6az6a/POgB+mbPz9+9Rn/TxU=</FileDigest>', 'AAAA</FileDigest>')), 'SUCA_ERR_WIRE_ENCODING', 'GetExtendedUpdateInfoResponse/GetExtendedUpdateInfoResult/FileLocations/FileLocation[0]/FileDigest');
    expectWire(res('ReportEventBatch', 'report-event-batch.response.xml', (s) => s.replace('>true<', '>maybe<')), 'SUCA_ERR_WIRE_FIELD', 'ReportEventBatchResponse/ReportEventBatchResult');
  });
});
