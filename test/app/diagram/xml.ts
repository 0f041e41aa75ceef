/*
 * A small strict XML well-formedness check (XML 1.0 as our SVG uses it: an optional declaration, elements,
 * attributes in quotes, character data with the five predefined entities and numeric references). It
 * rejects what it does not know (comments, CDATA, DOCTYPE) rather than accepting it: enough to prove the
 * generated documents parse, without a dependency.
 */

export interface XmlElement {
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string, where: string): string {
  return text.replace(/&([^;&]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new Error(`unterminated entity in ${where}: ${whole}`);
    if (body in ENTITIES) return ENTITIES[body];
    const numeric = /^#(\d+)$/.exec(body) ?? /^#x([0-9a-fA-F]+)$/.exec(body);
    if (numeric) return String.fromCodePoint(parseInt(numeric[1], body[1] === 'x' ? 16 : 10));
    throw new Error(`unknown entity &${body}; in ${where}`);
  });
}

/** Parses a document; throws with a reason when it is not well-formed. */
export function parseXml(source: string): XmlElement {
  let at = 0;
  const rest = () => source.slice(at);
  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    if (!/^<\?xml version="1\.0"( encoding="UTF-8")?\s*\?>$/.test(source.slice(0, end + 2))) throw new Error('bad XML declaration');
    at = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (at < source.length) {
    const lt = source.indexOf('<', at);
    const text = source.slice(at, lt < 0 ? source.length : lt);
    if (text.includes('>')) throw new Error(`'>' in character data near ${JSON.stringify(text.slice(0, 40))}`);
    const decoded = decodeEntities(text, 'character data');
    if (stack.length === 0) {
      if (decoded.trim() !== '') throw new Error('text outside the root element');
    } else {
      stack[stack.length - 1].text += decoded;
    }
    if (lt < 0) break;
    at = lt;
    if (rest().startsWith('</')) {
      const match = /^<\/([A-Za-z_:][-A-Za-z0-9_:.]*)\s*>/.exec(rest());
      if (!match) throw new Error(`bad end tag near ${JSON.stringify(rest().slice(0, 30))}`);
      const open = stack.pop();
      if (!open || open.name !== match[1]) throw new Error(`end tag </${match[1]}> does not close <${open?.name ?? 'nothing'}>`);
      at += match[0].length;
      continue;
    }
    if (rest().startsWith('<!') || rest().startsWith('<?')) throw new Error(`unsupported markup near ${JSON.stringify(rest().slice(0, 30))}`);
    at++;
    const name = NAME.exec(rest());
    if (!name) throw new Error(`bad start tag near ${JSON.stringify(source.slice(at - 1, at + 30))}`);
    at += name[0].length;
    const element: XmlElement = { name: name[0], attributes: new Map(), children: [], text: '' };
    for (;;) {
      const space = /^\s*/.exec(rest())![0];
      at += space.length;
      if (rest().startsWith('/>') || rest().startsWith('>')) break;
      if (space === '') throw new Error(`attributes of <${element.name}> need white space between them`);
      const attribute = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(rest());
      if (!attribute) throw new Error(`bad attribute in <${element.name}> near ${JSON.stringify(rest().slice(0, 30))}`);
      if (element.attributes.has(attribute[1])) throw new Error(`duplicate attribute ${attribute[1]} in <${element.name}>`);
      element.attributes.set(attribute[1], decodeEntities(attribute[3] ?? attribute[4], `attribute ${attribute[1]}`));
      at += attribute[0].length;
    }
    if (stack.length > 0) stack[stack.length - 1].children.push(element);
    else if (root) throw new Error('more than one root element');
    else root = element;
    if (rest().startsWith('/>')) {
      at += 2;
    } else {
      at += 1;
      stack.push(element);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every element of a tree, depth first. */
export function* elements(root: XmlElement): Generator<XmlElement> {
  yield root;
  for (const child of root.children) yield* elements(child);
}
