// The one XML writer under both wire codecs (MS-WUSP SOAP and the CCM
// messages): escaping for text and attribute values, and a small builder for
// compact XML. Every value a codec writes goes through escapeText/escapeAttr,
// which refuse what XML 1.0 cannot carry (U+0001, lone surrogates, ...) with a
// WireError naming the element, instead of writing a document no parser reads.
// CR is written as &#xD; (in text and attributes): a parser turns a literal CR
// into LF, so the value would not come back.

import { WireError } from '../errors.js';


/**
 * XML 1.0 Char production: what can appear in a document at all. Control
 * characters other than tab, LF and CR, and lone surrogates, cannot be
 * escaped either: encoding them is an error, not silent corruption.
 */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// printable ASCII with nothing to escape, tested first in one pass (most values: names, GUIDs, numbers)
const PLAIN_TEXT = /^[\x20-\x25\x27-\x3b\x3d\x3f-\x7e\n\t]*$/;
const PLAIN_ATTR = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x7e]*$/;
const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<>"\t\n\r]/;

function checkChars(value: string, where: string): void {
  if (NOT_XML_CHAR.test(value)) {
    throw new WireError('SUCA_ERR_WIRE_FIELD', 'value contains a character XML 1.0 cannot carry', where);
  }
}

/**
 * Text content: & < > as entities (.NET escapes > too, the captures show
 * &gt;); CR as a character reference because a parser turns a literal CR
 * into LF and the value would not come back.
 */
export function escapeText(value: string, where = ''): string {
  if (PLAIN_TEXT.test(value)) return value;
  checkChars(value, where);
  if (!TEXT_SPECIAL.test(value)) return value;
  return value.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

/** Attribute values (always written in double quotes): also " and the whitespace a parser would normalise. */
export function escapeAttr(value: string, where = ''): string {
  if (PLAIN_ATTR.test(value)) return value;
  checkChars(value, where);
  if (!ATTR_SPECIAL.test(value)) return value;
  return value.replace(/[&<>"\t\n\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case '\t':
        return '&#x9;';
      case '\n':
        return '&#xA;';
      default:
        return '&#xD;';
    }
  });
}

export type XmlAttrs = readonly (readonly [string, string])[];

/**
 * Builds compact XML (no whitespace between elements, as WUA and WSUS send
 * it). Element and attribute names come from the codec's constants; every
 * value goes through escapeText/escapeAttr. The stack of open elements names
 * the culprit when a value cannot be encoded (SUCA_ERR_WIRE_FIELD).
 */
export class XmlWriter {
  private out = '';
  private readonly stack: string[] = [];

  /** A fixed prolog such as the XML declaration; never a caller's value. */
  declaration(decl: string): this {
    this.out += decl;
    return this;
  }

  open(name: string, attrs?: XmlAttrs): this {
    this.out += '<' + name + this.attrs(name, attrs) + '>';
    this.stack.push(name);
    return this;
  }

  close(): this {
    const name = this.stack.pop();
    if (name === undefined) throw new Error('XmlWriter: close() without open()');
    this.out += '</' + name + '>';
    return this;
  }

  /** <name/> */
  empty(name: string, attrs?: XmlAttrs): this {
    this.out += '<' + name + this.attrs(name, attrs) + '/>';
    return this;
  }

  /** <name>value</name>, or <name/> for '' (the form the captures use for empty strings). */
  leaf(name: string, value: string): this {
    if (value === '') return this.empty(name);
    this.out += '<' + name + '>' + escapeText(value, this.where(name)) + '</' + name + '>';
    return this;
  }

  /** leaf() when value is defined. */
  opt(name: string, value: string | undefined): this {
    if (value !== undefined) this.leaf(name, value);
    return this;
  }

  toString(): string {
    if (this.stack.length !== 0) throw new Error(`XmlWriter: unclosed <${this.stack.join('><')}>`);
    return this.out;
  }

  /**
   * The element path for error messages, from the first unprefixed element:
   * the envelope's s:Envelope/s:Body are left out so encode errors read like
   * decode errors ("SyncUpdates/parameters/...").
   */
  protected where(name: string): string {
    const path = this.stack.filter((n) => !n.includes(':'));
    path.push(name);
    return path.join('/');
  }

  private attrs(name: string, attrs: XmlAttrs | undefined): string {
    if (attrs === undefined) return '';
    let s = '';
    for (const [k, v] of attrs) s += ' ' + k + '="' + escapeAttr(v, this.where(name) + '@' + k) + '"';
    return s;
  }
}


/** A CDATA section; ']]>' inside is split across two sections. CR and non-XML characters cannot be carried there. */
export function cdata(value: string, where = ''): string {
  checkChars(value, where);
  if (value.indexOf('\r') >= 0) throw new WireError('SUCA_ERR_WIRE_FIELD', 'CR cannot be carried in a CDATA section (a parser turns it into LF)', where);
  return '<![CDATA[' + value.replace(/]]>/g, ']]]]><![CDATA[>') + ']]>';
}
