import { defineField, type FieldDef } from '../fields/registry';
import type { FieldValue } from '../fields/tree';
import { formatIpv4, formatIpv6, u16, u32 } from './bytes';
import {
  markMalformed,
  type Dissection,
  type DnsQuestion,
  type DnsRecord,
  type DnsRepr,
  type LayerDecoder,
  type LayerInput,
} from './dissection';
import type { DecodeIssue } from './issue';

/*
 * DNS messages (RFC 1035 section 4), as Wireshark 4.0's packet-dns.c shows them, also for multicast DNS
 * (RFC 6762) and LLMNR (RFC 4795), which share the format and the dns.* fields under their own protocol
 * node. Over TCP (RFC 1035 section 4.2.2; RFC 7766) each message follows a 2-byte length.
 *
 * Header: [0,2) id  [2,4) flags  [4,6) QDCOUNT  [6,8) ANCOUNT  [8,10) NSCOUNT  [10,12) ARCOUNT
 * Question: name, [0,2) type, [2,4) class.   Resource record: name, type, class, [4,8) TTL,
 * [8,10) RDLENGTH, then RDLENGTH bytes of data.
 *
 * Behaviour that follows tshark rather than the RFCs (each checked with tshark 4.0.17):
 * - counts are believed until the bytes run out: nothing is allocated by a count, every loop ends at the
 *   end of the message, and decoding stops at the first read past the end (the layer is malformed);
 * - a question or record is shown only once its fixed part is there: a record whose data runs past the
 *   end of the message shows nothing at all. Within a record's data, fields appear up to the first read
 *   past the end (reads may run past RDLENGTH into the next record, as Wireshark's do);
 * - names: see readName. Compression pointers may point anywhere in the message, forwards too;
 * - text of names is Wireshark's format_text (see formatText); TXT strings are ASCII with U+FFFD for
 *   bytes above 0x7f (UTF-8 for mDNS), and the fields command cuts them at a NUL;
 * - dns.qry.name.len is 0 for one-character names and dns.count.labels counts the dots of the name's
 *   text plus one (0 for one-character names; 1 for '<Root>');
 * - SRV records show the owner name split into dns.srv.service / .proto / .name instead of dns.resp.name.
 * Records of types Wireshark decodes but we do not (RRSIG, DNSKEY, DS, NSEC3PARAM, LOC, NAPTR, ...) show their
 * header only; types Wireshark does not know show their data as dns.data, as in tshark.
 */

const HEADER_LENGTH = 12;
/** Wireshark's MAX_DNAME_LEN: the expanded text of a name, its terminating NUL included. */
const MAX_NAME_TEXT = 255;
/** Wireshark gives up on a name after this many compression pointers ('<Name contains a pointer that loops>'). */
const MAX_POINTERS = 255;
/**
 * Labels and pointers followed in one message, all names together (about 0.15 s of work). Wireshark has no
 * such limit; a real message needs a few hundred, while crafted forward-pointer chains cost up to ~16000
 * per name: tcpdump's dns_fwdptr.pcap, 10517 such names, takes 168 million and stops here after ~1000.
 */
const MAX_NAME_STEPS_PER_MESSAGE = 1 << 24;

const TYPE = {
  A: 1, NS: 2, MD: 3, MF: 4, CNAME: 5, SOA: 6, MB: 7, MG: 8, MR: 9, NULL: 10, PTR: 12, HINFO: 13, MX: 15,
  TXT: 16, AAAA: 28, SRV: 33, DNAME: 39, OPT: 41, NSEC: 47, NSEC3: 50, SVCB: 64, HTTPS: 65, SPF: 99, CAA: 257,
} as const;

/** Wireshark's dns_types_description_vals: the names in the details tree, 'A (Host Address)'. */
export const DNS_TYPE_DESCRIPTIONS: Readonly<Record<number, string>> = {
  0: 'Unused', 1: 'A (Host Address)', 2: 'NS (authoritative Name Server)', 3: 'MD (Mail Destination)',
  4: 'MF (Mail Forwarder)', 5: 'CNAME (Canonical NAME for an alias)', 6: 'SOA (Start Of a zone of Authority)',
  7: 'MB (MailBox domain name)', 8: 'MG (Mail Group member)', 9: 'MR (Mail Rename domain)', 10: 'NULL RR',
  11: 'WKS (Well Known Service)', 12: 'PTR (domain name PoinTeR)', 13: 'HINFO (host information)',
  14: 'MINFO (Mailbox or mail list information)', 15: 'MX (Mail eXchange)', 16: 'TXT (Text strings)',
  17: 'RP (Responsible Person)', 18: 'AFSDB (AFS Data Base location)', 19: 'X25 (XX.25 PSDN address)',
  20: 'ISDN (ISDN address)', 21: 'RT (Route Through)', 22: 'NSAP (NSAP address)',
  23: 'NSAP-PTR (NSAP domain name pointer)', 24: 'SIG (security signature)', 25: 'KEY (security key)',
  26: 'PX (X.400 mail mapping information)', 27: 'GPOS (Geographical Position)', 28: 'AAAA (IPv6 Address)',
  29: 'LOC (Location Information)', 30: 'NXT (Next Domain)', 31: 'EID (Endpoint Identifier)',
  32: 'NIMLOC (Nimrod Locator)', 33: 'SRV (Server Selection)', 34: 'ATMA (ATM Address)',
  35: 'NAPTR (Naming Authority Pointer)', 36: 'KX (Key Exchanger)', 37: 'CERT', 38: 'A6 (OBSOLETE - use AAAA)',
  39: 'DNAME', 40: 'SINK', 41: 'OPT', 42: 'APL', 43: 'DS (Delegation Signer)', 44: 'SSHFP (SSH Key Fingerprint)',
  45: 'IPSECKEY', 46: 'RRSIG (Resource Record Signature)', 47: 'NSEC (Next Secure)', 48: 'DNSKEY (DNS Public Key)',
  49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 55: 'HIP (Host Identity Protocol)', 57: 'RKEY',
  58: 'TALINK (Trust Anchor LINK)', 59: 'CDS (Child DS)', 60: 'CDNSKEY (DNSKEY(s) the Child wants reflected in DS)',
  61: 'OPENPGPKEY (OpenPGP Key)', 62: 'CSYNC (Child-to-Parent Synchronization)', 63: 'ZONEMD',
  64: 'SVCB (General Purpose Service Endpoints)', 65: 'HTTPS (HTTPS Specific Service Endpoints)', 99: 'SPF',
  100: 'UINFO', 101: 'UID', 102: 'GID', 103: 'UNSPEC', 104: 'NID (NodeID)', 105: 'L32 (Locator32)',
  106: 'L64 (Locator64)', 107: 'LP (Locator FQDN)', 108: 'EUI48', 109: 'EUI64', 249: 'TKEY (Transaction Key)',
  250: 'TSIG (Transaction Signature)', 251: 'IXFR (incremental transfer)', 252: 'AXFR (transfer of an entire zone)',
  253: 'MAILB (mailbox-related RRs)', 254: 'MAILA (mail agent RRs)',
  255: '* (A request for all records the server/cache has available)', 256: 'URI',
  257: 'CAA (Certification Authority Restriction)', 32768: 'TA (DNSSEC Trust Authorities)',
  32769: 'DLV (DNSSEC Lookaside Validation)', 65281: 'WINS', 65282: 'WINS-R', 65422: 'XPF',
};

/** Short names where they are not the first word of the description (Wireshark's dns_types_vals). */
const TYPE_SHORT_NAMES: Readonly<Record<number, string>> = { 10: 'NULL', 255: 'ANY' };

/** Wireshark's short name of a type, as in the Info column and the record headings: 'A', 'AAAA', 'ANY'. */
export function dnsTypeName(type: number): string {
  const short = TYPE_SHORT_NAMES[type];
  if (short) return short;
  const description = DNS_TYPE_DESCRIPTIONS[type];
  return description ? description.split(' ')[0] : `Unknown (${type})`;
}

/**
 * Types whose data Wireshark 4.0 decodes with fields of their own; any other type's data is dns.data.
 * Found by feeding tshark every type with 16 bytes of data.
 */
function wiresharkDecodesType(type: number): boolean {
  return (type >= 1 && type <= 30) || type === 33 || (type >= 35 && type <= 39) || (type >= 41 && type <= 52)
    || type === 55 || (type >= 59 && type <= 65) || type === 99 || (type >= 104 && type <= 109)
    || type === 249 || type === 250 || type === 257 || type === 32769 || type === 65281 || type === 65282
    || type === 65422;
}

const CLASS_NAMES: Readonly<Record<number, string>> = { 1: 'IN', 2: 'CS', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY' };

const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'Standard query', 1: 'Inverse query', 2: 'Server status request', 4: 'Zone change notification',
  5: 'Dynamic update', 6: 'DNS Stateful operations (DSO)',
};

const RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'No error', 1: 'Format error', 2: 'Server failure', 3: 'No such name', 4: 'Not implemented', 5: 'Refused',
  6: 'Name exists', 7: 'RRset exists', 8: 'RRset does not exist', 9: 'Not authoritative', 10: 'Name out of zone',
  11: 'DSO-Type not implemented', 16: 'Bad OPT Version or TSIG Signature Failure', 17: 'Key not recognized',
  18: 'Signature out of time window', 19: 'Bad TKEY Mode', 20: 'Duplicate key name', 21: 'Algorithm not supported',
  22: 'Bad Truncation', 23: 'Bad/missing Server Cookie',
};

const OPTION_CODE_NAMES: Readonly<Record<number, string>> = {
  0: 'Reserved', 1: 'LLQ - Long-lived query', 2: 'UL - Update lease', 3: 'NSID - Name Server Identifier',
  4: 'Owner (reserved)', 5: 'DAU - DNSSEC Algorithm Understood (RFC6975)', 6: 'DHU - DS Hash Understood (RFC6975)',
  7: 'N3U - NSEC3 Hash Understood (RFC6975)', 8: 'CSUBNET - Client subnet', 9: 'EDNS EXPIRE (RFC7314)',
  10: 'COOKIE', 11: 'EDNS TCP Keepalive', 12: 'PADDING', 13: 'CHAIN', 15: 'Extended DNS Error',
  20730: 'Experimental - CSUBNET - Client subnet',
};

const SVC_PARAM_KEY_NAMES: Readonly<Record<number, string>> = {
  0: 'mandatory', 1: 'alpn', 2: 'no-default-alpn', 3: 'port', 4: 'ipv4hint', 5: 'echconfig', 6: 'ipv6hint',
  32769: 'odohconfig', 65535: 'key65535',
};

const SVC_PARAM = { MANDATORY: 0, ALPN: 1, NO_DEFAULT_ALPN: 2, PORT: 3, IPV4HINT: 4, ECHCONFIG: 5, IPV6HINT: 6, ODOHCONFIG: 32769 } as const;

export const DNS_FIELDS = {
  dns: defineField('dns', 'Domain Name System', 'protocol'),
  mdns: defineField('mdns', 'Multicast Domain Name System', 'protocol'),
  llmnr: defineField('llmnr', 'Link-local Multicast Name Resolution', 'protocol'),
  length: defineField('dns.length', 'Length', 'uint', { bits: 16 }),
  id: defineField('dns.id', 'Transaction ID', 'uint', { base: 'hex', bits: 16 }),
  flags: defineField('dns.flags', 'Flags', 'uint', { base: 'hex', bits: 16 }),
  response: defineField('dns.flags.response', 'Response', 'bool', { bits: 16, mask: 0x8000, strings: { 0: 'Message is a query', 1: 'Message is a response' } }),
  opcode: defineField('dns.flags.opcode', 'Opcode', 'uint', { bits: 16, mask: 0x7800, strings: OPCODE_NAMES }),
  authoritative: defineField('dns.flags.authoritative', 'Authoritative', 'bool', { bits: 16, mask: 0x0400, strings: { 0: 'Server is not an authority for domain', 1: 'Server is an authority for domain' } }),
  /** LLMNR's C bit (RFC 4795 section 2.1.1), where DNS has AA. */
  conflict: defineField('dns.flags.conflict', 'Conflict', 'bool', { bits: 16, mask: 0x0400 }),
  truncated: defineField('dns.flags.truncated', 'Truncated', 'bool', { bits: 16, mask: 0x0200, strings: { 0: 'Message is not truncated', 1: 'Message is truncated' } }),
  recdesired: defineField('dns.flags.recdesired', 'Recursion desired', 'bool', { bits: 16, mask: 0x0100, strings: { 0: "Don't do query recursively", 1: 'Do query recursively' } }),
  /** LLMNR's T bit, where DNS has RD. */
  tentative: defineField('dns.flags.tentative', 'Tentative', 'bool', { bits: 16, mask: 0x0100, strings: { 0: 'Not tentative', 1: 'Tentative' } }),
  recavail: defineField('dns.flags.recavail', 'Recursion available', 'bool', { bits: 16, mask: 0x0080, strings: { 0: "Server can't do recursive queries", 1: 'Server can do recursive queries' } }),
  z: defineField('dns.flags.z', 'Z', 'bool', { bits: 16, mask: 0x0040, strings: { 0: 'reserved (0)', 1: 'reserved - incorrect!' } }),
  /** AD (RFC 4035 section 3.2.3); Wireshark labels it 'AD bit' in queries, under the same name. */
  authenticated: defineField('dns.flags.authenticated', 'Answer authenticated', 'bool', { bits: 16, mask: 0x0020 }),
  checkdisable: defineField('dns.flags.checkdisable', 'Non-authenticated data', 'bool', { bits: 16, mask: 0x0010, strings: { 0: 'Unacceptable', 1: 'Acceptable' } }),
  rcode: defineField('dns.flags.rcode', 'Reply code', 'uint', { bits: 16, mask: 0x000f, strings: RCODE_NAMES }),
  countQueries: defineField('dns.count.queries', 'Questions', 'uint', { bits: 16 }),
  countZones: defineField('dns.count.zones', 'Zones', 'uint', { bits: 16 }),
  countAnswers: defineField('dns.count.answers', 'Answer RRs', 'uint', { bits: 16 }),
  countPrerequisites: defineField('dns.count.prerequisites', 'Prerequisites', 'uint', { bits: 16 }),
  countAuthRr: defineField('dns.count.auth_rr', 'Authority RRs', 'uint', { bits: 16 }),
  countUpdates: defineField('dns.count.updates', 'Updates', 'uint', { bits: 16 }),
  countAddRr: defineField('dns.count.add_rr', 'Additional RRs', 'uint', { bits: 16 }),
  // Headings Wireshark shows as text without a field name ('Queries', 'a.example: type A, class IN').
  queries: defineField('dns.queries', 'Queries', 'label'),
  answers: defineField('dns.answers', 'Answers', 'label'),
  authorities: defineField('dns.authorities', 'Authoritative nameservers', 'label'),
  additionals: defineField('dns.additionals', 'Additional records', 'label'),
  query: defineField('dns.query', 'Query', 'label'),
  rr: defineField('dns.rr', 'Resource record', 'label'),
  qryName: defineField('dns.qry.name', 'Name', 'string'),
  qryNameLen: defineField('dns.qry.name.len', 'Name Length', 'uint', { bits: 16 }),
  countLabels: defineField('dns.count.labels', 'Label Count', 'uint', { bits: 16 }),
  qryType: defineField('dns.qry.type', 'Type', 'uint', { bits: 16, strings: DNS_TYPE_DESCRIPTIONS }),
  qryClass: defineField('dns.qry.class', 'Class', 'uint', { base: 'hex', bits: 16, strings: CLASS_NAMES }),
  /** mDNS unicast-response bit (RFC 6762 section 5.4), the top bit of the question class. */
  qryQu: defineField('dns.qry.qu', '"QU" question', 'bool', { bits: 16, mask: 0x8000 }),
  respName: defineField('dns.resp.name', 'Name', 'string'),
  respType: defineField('dns.resp.type', 'Type', 'uint', { bits: 16, strings: DNS_TYPE_DESCRIPTIONS }),
  respClass: defineField('dns.resp.class', 'Class', 'uint', { base: 'hex', bits: 16, strings: CLASS_NAMES }),
  /** mDNS cache-flush bit (RFC 6762 section 10.2), the top bit of the record class. */
  cacheFlush: defineField('dns.resp.cache_flush', 'Cache flush', 'bool', { bits: 16, mask: 0x8000 }),
  ttl: defineField('dns.resp.ttl', 'Time to live', 'uint', { bits: 32 }),
  rdLength: defineField('dns.resp.len', 'Data length', 'uint', { bits: 16 }),
  // OPT pseudo-record (RFC 6891 section 6.1.2): class and TTL carry EDNS fields.
  udpPayloadSize: defineField('dns.rr.udp_payload_size', 'UDP payload size', 'uint', { bits: 16 }),
  extRcode: defineField('dns.resp.ext_rcode', 'Higher bits in extended RCODE', 'uint', { base: 'hex', bits: 8 }),
  ednsVersion: defineField('dns.resp.edns0_version', 'EDNS0 version', 'uint', { bits: 8 }),
  ednsZ: defineField('dns.resp.z', 'Z', 'uint', { base: 'hex', bits: 16 }),
  ednsDo: defineField('dns.resp.z.do', 'DO bit', 'bool', { bits: 16, mask: 0x8000, strings: { 0: 'Cannot handle DNSSEC security RRs', 1: 'Accepts DNSSEC security RRs' } }),
  ednsZReserved: defineField('dns.resp.z.reserved', 'Reserved', 'uint', { base: 'hex', bits: 16, mask: 0x7fff }),
  opt: defineField('dns.opt', 'Option', 'label'),
  optCode: defineField('dns.opt.code', 'Option Code', 'uint', { bits: 16, strings: OPTION_CODE_NAMES }),
  optLen: defineField('dns.opt.len', 'Option Length', 'uint', { bits: 16 }),
  optData: defineField('dns.opt.data', 'Option Data', 'bytes'),
  a: defineField('dns.a', 'Address', 'ipv4'),
  aaaa: defineField('dns.aaaa', 'AAAA Address', 'ipv6'),
  ns: defineField('dns.ns', 'Name Server', 'string'),
  md: defineField('dns.md', 'Mail Destination', 'string'),
  mf: defineField('dns.mf', 'Mail Forwarder', 'string'),
  cname: defineField('dns.cname', 'CNAME', 'string'),
  mb: defineField('dns.mb', 'MailBox Domaine', 'string'),
  mg: defineField('dns.mg', 'Mail Group member', 'string'),
  mr: defineField('dns.mr', 'Mail Rename domaine', 'string'),
  null: defineField('dns.null', 'Null (data)', 'bytes'),
  ptr: defineField('dns.ptr.domain_name', 'Domain Name', 'string'),
  dname: defineField('dns.dname', 'Dname', 'string'),
  soaMname: defineField('dns.soa.mname', 'Primary name server', 'string'),
  soaRname: defineField('dns.soa.rname', "Responsible authority's mailbox", 'string'),
  soaSerial: defineField('dns.soa.serial_number', 'Serial Number', 'uint', { bits: 32 }),
  soaRefresh: defineField('dns.soa.refresh_interval', 'Refresh Interval', 'uint', { bits: 32 }),
  soaRetry: defineField('dns.soa.retry_interval', 'Retry Interval', 'uint', { bits: 32 }),
  soaExpire: defineField('dns.soa.expire_limit', 'Expire limit', 'uint', { bits: 32 }),
  soaMinimum: defineField('dns.soa.minimum_ttl', 'Minimum TTL', 'uint', { bits: 32 }),
  hinfoCpuLength: defineField('dns.hinfo.cpu_length', 'CPU Length', 'uint', { bits: 8 }),
  hinfoCpu: defineField('dns.hinfo.cpu', 'CPU', 'string'),
  hinfoOsLength: defineField('dns.hinfo.os_length', 'OS Length', 'uint', { bits: 8 }),
  hinfoOs: defineField('dns.hinfo.os', 'OS', 'string'),
  mxPreference: defineField('dns.mx.preference', 'Preference', 'uint', { bits: 16 }),
  mxExchange: defineField('dns.mx.mail_exchange', 'Mail Exchange', 'string'),
  txtLength: defineField('dns.txt.length', 'TXT Length', 'uint', { bits: 8 }),
  txt: defineField('dns.txt', 'TXT', 'string'),
  spfLength: defineField('dns.spf.length', 'SPF Length', 'uint', { bits: 8 }),
  spf: defineField('dns.spf', 'SPF', 'string'),
  srvService: defineField('dns.srv.service', 'Service', 'string'),
  srvProto: defineField('dns.srv.proto', 'Protocol', 'string'),
  srvName: defineField('dns.srv.name', 'Name', 'string'),
  srvPriority: defineField('dns.srv.priority', 'Priority', 'uint', { bits: 16 }),
  srvWeight: defineField('dns.srv.weight', 'Weight', 'uint', { bits: 16 }),
  srvPort: defineField('dns.srv.port', 'Port', 'uint', { bits: 16 }),
  srvTarget: defineField('dns.srv.target', 'Target', 'string'),
  svcPriority: defineField('dns.svcb.svcpriority', 'SvcPriority', 'uint', { bits: 16 }),
  svcTarget: defineField('dns.svcb.targetname', 'TargetName', 'string'),
  svcParam: defineField('dns.svcb.svcparam', 'SvcParam', 'label'),
  svcParamKey: defineField('dns.svcb.svcparam.key', 'SvcParamKey', 'uint', { bits: 16, strings: SVC_PARAM_KEY_NAMES }),
  svcParamLength: defineField('dns.svcb.svcparam.value.length', 'SvcParamValue length', 'uint', { bits: 16 }),
  svcParamValue: defineField('dns.svcb.svcparam.value', 'SvcParamValue', 'bytes'),
  svcMandatoryKey: defineField('dns.svcb.svcparam.mandatory.key', 'Mandatory key', 'uint', { bits: 16, strings: SVC_PARAM_KEY_NAMES }),
  svcAlpnLength: defineField('dns.svcb.svcparam.alpn.length', 'ALPN length', 'uint', { bits: 8 }),
  svcAlpn: defineField('dns.svcb.svcparam.alpn', 'ALPN', 'string'),
  svcPort: defineField('dns.svcb.svcparam.port', 'Port', 'uint', { bits: 16 }),
  svcIpv4Hint: defineField('dns.svcb.svcparam.ipv4hint.ip', 'IP', 'ipv4'),
  svcEchConfig: defineField('dns.svcb.svcparam.echconfig', 'ECHConfig', 'bytes'),
  svcIpv6Hint: defineField('dns.svcb.svcparam.ipv6hint.ip', 'IP', 'ipv6'),
  svcOdohConfig: defineField('dns.svcb.svcparam.odohconfig', 'ODoHConfig', 'bytes'),
  caaFlags: defineField('dns.caa.flags', 'CAA Flags', 'uint', { base: 'hex', bits: 8 }),
  caaIssuerCritical: defineField('dns.caa.flags.issuer_critical', 'Issuer Critical', 'bool', { bits: 8, mask: 0x80 }),
  caaIssue: defineField('dns.caa.issue', 'Issue', 'string'),
  caaIssueWild: defineField('dns.caa.issuewild', 'Issue Wildcard', 'string'),
  caaIodef: defineField('dns.caa.iodef', 'Report URL', 'string'),
  caaUnknown: defineField('dns.caa.unknown', 'Unknown tag', 'string'),
  caaTagLength: defineField('dns.caa.tag_length', 'Tag length', 'uint', { bits: 8 }),
  caaTag: defineField('dns.caa.tag', 'Tag', 'string'),
  caaValue: defineField('dns.caa.value', 'Value', 'string'),
  nsecNextDomainName: defineField('dns.nsec.next_domain_name', 'Next Domain Name', 'string'),
  nsec3Algo: defineField('dns.nsec3.algo', 'Hash algorithm', 'uint', { bits: 8, strings: { 1: 'SHA-1' } }),
  nsec3Flags: defineField('dns.nsec3.flags', 'NSEC3 flags', 'uint', { bits: 8 }),
  nsec3OptOut: defineField('dns.nsec3.flags.opt_out', 'NSEC3 Opt-out flag', 'bool', { bits: 8, mask: 0x01 }),
  nsec3Iterations: defineField('dns.nsec3.iterations', 'NSEC3 iterations', 'uint', { bits: 16 }),
  nsec3SaltLength: defineField('dns.nsec3.salt_length', 'Salt length', 'uint', { bits: 8 }),
  nsec3SaltValue: defineField('dns.nsec3.salt_value', 'Salt value', 'bytes'),
  nsec3HashLength: defineField('dns.nsec3.hash_length', 'Hash length', 'uint', { bits: 8 }),
  nsec3HashValue: defineField('dns.nsec3.hash_value', 'Next hashed owner', 'string'),
  data: defineField('dns.data', 'Data', 'bytes'),
};

const F = DNS_FIELDS;

type Flavor = 'dns' | 'mdns' | 'llmnr';

const PROTOCOL_TITLES: Readonly<Record<Flavor, string>> = {
  dns: 'Domain Name System',
  mdns: 'Multicast Domain Name System',
  llmnr: 'Link-local Multicast Name Resolution',
};

/** DNS over UDP (port 53, or a payload passing looksLikeDns). */
export const decodeDns: LayerDecoder = (d, at) => {
  decodeMessage(d, at, at.offset, 'dns', 'udp', true);
  return null;
};

/** Multicast DNS (UDP port 5353). */
export const decodeMdns: LayerDecoder = (d, at) => {
  decodeMessage(d, at, at.offset, 'mdns', 'udp', true);
  return null;
};

/** LLMNR (UDP port 5355). */
export const decodeLlmnr: LayerDecoder = (d, at) => {
  decodeMessage(d, at, at.offset, 'llmnr', 'udp', true);
  return null;
};

/**
 * DNS over TCP: each message follows its 2-byte length (RFC 1035 section 4.2.2). Like Wireshark with
 * desegmentation on, a message is decoded only when all its bytes are in this segment, or, when the
 * capture cut the segment short, from what was captured. A message continued in later segments waits for
 * TCP reassembly and shows nothing here. Several messages in one segment are all decoded (the repr holds
 * the first); Wireshark lists 'dns' once in frame.protocols however many there are.
 */
export const decodeDnsOverTcp: LayerDecoder = (d, at) => {
  const b = d.sources[at.source];
  const tcp = at.embedded ? null : d.tcp;
  // Wireshark only waits for more segments when this one was captured whole.
  const segmentCut = tcp !== null && tcp.capturedPayloadLength < tcp.payloadLength;
  const reportedEnd = segmentCut && tcp ? at.offset + tcp.payloadLength : at.end;
  let offset = at.offset;
  let first = true;
  // Each message takes at least its 2 length bytes, so the loop ends within the segment.
  while (reportedEnd - offset >= 2) {
    if (at.end - offset < 2) {
      // The capture cut the length itself: Wireshark shows the layer and stops there.
      if (first) d.protocols.push('dns');
      return markMalformed(d, { code: 'truncated', layer: 'dns', offset: at.end, message: 'DNS length truncated' });
    }
    const messageEnd = offset + 2 + u16(b, offset);
    if (messageEnd > reportedEnd || (messageEnd > at.end && !segmentCut)) return null;
    const complete = decodeMessage(d, { ...at, offset, end: Math.min(messageEnd, at.end) }, offset + 2, 'dns', 'tcp', first);
    if (!complete) return null;
    first = false;
    offset = messageEnd;
  }
  return null;
};

/**
 * Wireshark's DNS heuristic for UDP payloads on ports without a dissector (4.0's dissect_dns_heur, checked
 * on crafted messages): more than a header, a standard query opcode, and believable counts.
 */
export function looksLikeDns(b: Uint8Array, offset: number, end: number, reportedLength: number): boolean {
  if (reportedLength <= HEADER_LENGTH || end - offset < HEADER_LENGTH) return false;
  const flags = u16(b, offset + 2);
  if ((flags & 0x7800) !== 0) return false;
  const questions = u16(b, offset + 4);
  const answers = u16(b, offset + 6);
  const authorities = u16(b, offset + 8);
  if (flags & 0x8000) {
    if (questions > 1 || answers > 100 || authorities > 10) return false;
  } else if (questions !== 1 || answers !== 0 || authorities !== 0) {
    return false;
  }
  return u16(b, offset + 10) <= 10;
}

// ---------------------------------------------------------------- message

/** A read past the end of the message: Wireshark's bounds exception, caught at the message boundary. */
class PastEnd {
  constructor(readonly offset: number) {}
}

/** Too many name steps in one message (see MAX_NAME_STEPS_PER_MESSAGE). */
class TooManySteps {
  constructor(readonly offset: number) {}
}

/** A label type Wireshark refuses (RFC 6891 section 5: 0b10 is reserved). */
class BadLabel {
  constructor(readonly offset: number) {}
}

interface Message {
  readonly b: Uint8Array;
  /** Start of the DNS message (compression pointers count from here) and the end of its captured bytes. */
  readonly start: number;
  readonly end: number;
  readonly flavor: Flavor;
  nameSteps: number;
}

function need(m: Message, offset: number, length: number): void {
  if (offset + length > m.end) throw new PastEnd(m.end);
}

function byteAt(m: Message, offset: number): number {
  if (offset >= m.end) throw new PastEnd(m.end);
  return m.b[offset];
}

function u16At(m: Message, offset: number): number {
  need(m, offset, 2);
  return u16(m.b, offset);
}

function u32At(m: Message, offset: number): number {
  need(m, offset, 4);
  return u32(m.b, offset);
}

/**
 * Decodes one message in [at.offset, at.end) whose header starts at `start` (over TCP, at.offset is its
 * length prefix). The first message of a layer announces the protocol and fills the repr. Returns whether
 * the message decoded completely; otherwise the problem is recorded and the fields so far stay.
 */
function decodeMessage(d: Dissection, at: LayerInput, start: number, flavor: Flavor, transport: 'udp' | 'tcp', first: boolean): boolean {
  const t = d.tree;
  const m: Message = { b: d.sources[at.source], start, end: at.end, flavor, nameSteps: 0 };
  if (first) d.protocols.push(flavor);
  const repr: DnsRepr = {
    id: 0, response: false, opcode: 0, rcode: 0, flags: 0, questions: [], answers: [], authorities: [], additionals: [], transport,
  };
  let complete = false;
  try {
    // Wireshark reads the id and flags before it shows the protocol.
    const id = u16At(m, start);
    const flags = u16At(m, start + 2);
    repr.id = id;
    repr.flags = flags;
    repr.response = (flags & 0x8000) !== 0;
    repr.opcode = (flags >> 11) & 0xf;
    repr.rcode = flags & 0xf;
    if (first && !at.embedded) d.dns = repr;
    // The title is text for the tree only: not built for frames decoded without one.
    t.open(F[flavor], at.offset, at.end - at.offset, t.enabled ? `${PROTOCOL_TITLES[flavor]} (${repr.response ? 'response' : 'query'})` : null);
    if (transport === 'tcp') t.add(F.length, at.offset, 2, u16(m.b, at.offset));
    t.add(F.id, start, 2, id);
    recordFlags(t, start + 2, flags, flavor);
    const update = repr.opcode === 5;
    const questions = u16At(m, start + 4);
    t.add(update ? F.countZones : F.countQueries, start + 4, 2, questions);
    const answers = u16At(m, start + 6);
    t.add(update ? F.countPrerequisites : F.countAnswers, start + 6, 2, answers);
    const authorities = u16At(m, start + 8);
    t.add(update ? F.countUpdates : F.countAuthRr, start + 8, 2, authorities);
    const additionals = u16At(m, start + 10);
    t.add(F.countAddRr, start + 10, 2, additionals);
    let offset = start + HEADER_LENGTH;
    if (questions > 0) {
      t.open(F.queries, offset, m.end - offset, update ? 'Zone' : 'Queries');
      for (let i = 0; i < questions; i++) offset = decodeQuestion(m, d, offset, repr.questions);
      t.close();
    }
    const sections: [number, FieldDef, string, DnsRecord[]][] = [
      [answers, F.answers, update ? 'Prerequisites' : 'Answers', repr.answers],
      [authorities, F.authorities, update ? 'Updates' : 'Authoritative nameservers', repr.authorities],
      [additionals, F.additionals, 'Additional records', repr.additionals],
    ];
    for (const [count, heading, title, records] of sections) {
      if (count === 0) continue;
      t.open(heading, offset, m.end - offset, title);
      // Every record takes at least 11 bytes or throws, so a bogus count ends at the end of the message.
      for (let i = 0; i < count; i++) offset = decodeRecord(m, d, offset, records);
      t.close();
    }
    complete = true;
  } catch (error) {
    if (!(error instanceof PastEnd || error instanceof TooManySteps || error instanceof BadLabel)) throw error;
    markMalformed(d, dnsIssue(d, error));
  }
  t.close();
  return complete;
}

function dnsIssue(d: Dissection, error: PastEnd | TooManySteps | BadLabel): DecodeIssue {
  if (error instanceof TooManySteps) {
    return { code: 'loop', layer: 'dns', offset: error.offset, message: 'DNS names take too many compression steps' };
  }
  if (error instanceof BadLabel) {
    return { code: 'bad-value', layer: 'dns', offset: error.offset, message: 'DNS name with a reserved label type' };
  }
  // A read past the captured bytes of a frame the capture cut short is Wireshark's "packet size limited".
  const cut = d.frame.capturedLength < d.frame.originalLength;
  return cut
    ? { code: 'truncated', layer: 'dns', offset: error.offset, message: 'DNS message truncated' }
    : { code: 'bad-length', layer: 'dns', offset: error.offset, message: 'DNS message shorter than its contents' };
}

function recordFlags(t: Dissection['tree'], at: number, flags: number, flavor: Flavor): void {
  const response = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  t.open(F.flags, at, 2, flags);
  t.add(F.response, at, 2, response);
  t.add(F.opcode, at, 2, opcode);
  if (flavor === 'llmnr') {
    // RFC 4795 section 2.1.1: C and T replace AA and RD; there is no RA, Z, AD or CD.
    t.add(F.conflict, at, 2, (flags & 0x0400) !== 0);
    t.add(F.truncated, at, 2, (flags & 0x0200) !== 0);
    t.add(F.tentative, at, 2, (flags & 0x0100) !== 0);
    if (response) t.add(F.rcode, at, 2, flags & 0xf);
  } else {
    if (response) t.add(F.authoritative, at, 2, (flags & 0x0400) !== 0);
    t.add(F.truncated, at, 2, (flags & 0x0200) !== 0);
    t.add(F.recdesired, at, 2, (flags & 0x0100) !== 0);
    if (response) t.add(F.recavail, at, 2, (flags & 0x0080) !== 0);
    t.add(F.z, at, 2, (flags & 0x0040) !== 0);
    // Wireshark shows AD in queries only when it is set (RFC 6840 section 5.7 lets a query ask for it).
    if (response || (flags & 0x0020) !== 0) t.add(F.authenticated, at, 2, (flags & 0x0020) !== 0);
    t.add(F.checkdisable, at, 2, (flags & 0x0010) !== 0);
    if (response) t.add(F.rcode, at, 2, flags & 0xf);
  }
  t.close();
}

// ---------------------------------------------------------------- questions and records

function decodeQuestion(m: Message, d: Dissection, offset: number, questions: DnsQuestion[]): number {
  const t = d.tree;
  // Wireshark reads the name, type and class before it shows any of them.
  const name = readName(m, offset);
  const typeAt = offset + name.used;
  const type = u16At(m, typeAt);
  const rawClass = u16At(m, typeAt + 2);
  const mdns = m.flavor === 'mdns';
  const cls = mdns ? rawClass & 0x7fff : rawClass;
  const unicastResponse = mdns && (rawClass & 0x8000) !== 0;
  let heading = `${name.text}: type ${dnsTypeName(type)}, class ${CLASS_NAMES[cls] ?? 'Unknown'}`;
  if (mdns) heading += `, "${unicastResponse ? 'QU' : 'QM'}" question`;
  t.open(F.query, offset, name.used + 4, heading);
  t.add(F.qryName, offset, name.used, name.text);
  t.addGenerated(F.qryNameLen, name.textLength > 1 ? name.textLength : 0);
  t.addGenerated(F.countLabels, name.labels);
  t.add(F.qryType, typeAt, 2, type);
  if (mdns) {
    t.add(F.qryClass, typeAt + 2, 2, cls);
    t.add(F.qryQu, typeAt + 2, 2, unicastResponse);
  } else {
    t.add(F.qryClass, typeAt + 2, 2, rawClass);
  }
  t.close();
  questions.push({ name: name.text, type, class: cls });
  return typeAt + 4;
}

function decodeRecord(m: Message, d: Dissection, offset: number, records: DnsRecord[]): number {
  const t = d.tree;
  // Wireshark reads the whole fixed part, and its heading spans the data, before it shows anything.
  const name = readName(m, offset);
  const typeAt = offset + name.used;
  const type = u16At(m, typeAt);
  const rawClass = u16At(m, typeAt + 2);
  const ttl = u32At(m, typeAt + 4);
  const dataLength = u16At(m, typeAt + 8);
  const dataStart = typeAt + 10;
  need(m, dataStart, dataLength);
  const mdns = m.flavor === 'mdns';
  const cls = mdns ? rawClass & 0x7fff : rawClass;
  const cacheFlush = mdns && (rawClass & 0x8000) !== 0;
  const rdata = decodeRdata(m, type, dataStart, dataLength);
  let heading = type === TYPE.OPT
    ? `${name.text}: type OPT`
    : `${name.text}: type ${dnsTypeName(type)}, class ${CLASS_NAMES[cls] ?? 'Unknown'}`;
  if (cacheFlush) heading += ', cache flush';
  t.open(F.rr, offset, dataStart + dataLength - offset, heading + rdata.heading);
  if (type === TYPE.SRV) {
    recordSrvOwner(t, offset, name);
  } else {
    t.add(F.respName, offset, name.used, name.text);
  }
  t.add(F.respType, typeAt, 2, type);
  if (type === TYPE.OPT) {
    // RFC 6891 section 6.1.3: the TTL holds the extended RCODE, the version and the flags (DO first).
    // mDNS keeps the cache-flush bit here too; Wireshark then shows the size in hex, which one field
    // definition cannot express (the size is shown in decimal here).
    t.add(F.udpPayloadSize, typeAt + 2, 2, mdns ? cls : rawClass);
    if (mdns) t.add(F.cacheFlush, typeAt + 2, 2, cacheFlush);
    t.add(F.extRcode, typeAt + 4, 1, ttl >>> 24);
    t.add(F.ednsVersion, typeAt + 5, 1, (ttl >>> 16) & 0xff);
    t.open(F.ednsZ, typeAt + 6, 2, ttl & 0xffff);
    t.add(F.ednsDo, typeAt + 6, 2, (ttl & 0x8000) !== 0);
    t.add(F.ednsZReserved, typeAt + 6, 2, ttl & 0x7fff);
    t.close();
  } else {
    if (mdns) {
      t.add(F.respClass, typeAt + 2, 2, cls);
      t.add(F.cacheFlush, typeAt + 2, 2, cacheFlush);
    } else {
      t.add(F.respClass, typeAt + 2, 2, rawClass);
    }
    t.add(F.ttl, typeAt + 4, 4, ttl);
  }
  t.add(F.rdLength, typeAt + 8, 2, dataLength);
  addItems(t, rdata.items);
  t.close();
  records.push({ name: name.text, type, class: cls, ttl, data: rdata.data });
  if (rdata.stop) throw rdata.stop;
  return dataStart + dataLength;
}

/**
 * Wireshark 4.0 shows an SRV record's owner (RFC 2782: _service._proto.name) split at its first two dots
 * into dns.srv.service, dns.srv.proto and dns.srv.name, each over the owner's bytes, and no dns.resp.name.
 */
function recordSrvOwner(t: Dissection['tree'], offset: number, name: DnsName): void {
  const first = name.text.indexOf('.');
  const second = first < 0 ? -1 : name.text.indexOf('.', first + 1);
  t.add(F.srvService, offset, name.used, first < 0 ? name.text : name.text.slice(0, first));
  if (first < 0) return;
  t.add(F.srvProto, offset, name.used, second < 0 ? name.text.slice(first + 1) : name.text.slice(first + 1, second));
  if (second >= 0) t.add(F.srvName, offset, name.used, name.text.slice(second + 1));
}

// ---------------------------------------------------------------- record data

/** A field found in record data, shown once the record's heading is known. */
interface Item {
  field: FieldDef;
  offset: number;
  length: number;
  value: FieldValue;
  children?: Item[];
}

/** What a record's data holds: its fields in order, text added to the record's heading, the repr's text. */
interface Rdata {
  items: Item[];
  heading: string;
  data: string;
  /** Where decoding stopped early (a read past the end of the message), if it did. */
  stop: PastEnd | TooManySteps | BadLabel | null;
}

function addItems(t: Dissection['tree'], items: readonly Item[]): void {
  for (const item of items) {
    if (item.children) {
      t.open(item.field, item.offset, item.length, item.value);
      addItems(t, item.children);
      t.close();
    } else {
      t.add(item.field, item.offset, item.length, item.value);
    }
  }
}

function isStop(error: unknown): error is PastEnd | TooManySteps | BadLabel {
  return error instanceof PastEnd || error instanceof TooManySteps || error instanceof BadLabel;
}

/**
 * Decodes the data of a record of `type` in [start, start + length), as Wireshark 4.0 does. Reads may run
 * past the record (into the next one) like Wireshark's; only the end of the message stops them.
 */
function decodeRdata(m: Message, type: number, start: number, length: number): Rdata {
  const r: Rdata = { items: [], heading: '', data: '', stop: null };
  // Wireshark shows nothing of empty data, whatever the type.
  if (length === 0) return r;
  const items = r.items;
  try {
    switch (type) {
      case TYPE.A: {
        need(m, start, 4);
        r.data = formatIpv4(m.b, start);
        r.heading = `, addr ${r.data}`;
        items.push({ field: F.a, offset: start, length: 4, value: null });
        break;
      }
      case TYPE.AAAA: {
        need(m, start, 16);
        r.data = formatIpv6(m.b, start);
        r.heading = `, addr ${r.data}`;
        items.push({ field: F.aaaa, offset: start, length: 16, value: null });
        break;
      }
      case TYPE.NS:
      case TYPE.CNAME:
      case TYPE.PTR:
      case TYPE.DNAME:
      case TYPE.MD:
      case TYPE.MF:
      case TYPE.MB:
      case TYPE.MG:
      case TYPE.MR: {
        const name = readName(m, start);
        r.data = name.text;
        r.heading = NAME_HEADINGS[type] === undefined ? '' : `, ${NAME_HEADINGS[type]}${name.text}`;
        items.push({ field: NAME_FIELDS[type], offset: start, length: name.used, value: name.text });
        break;
      }
      case TYPE.SOA:
        decodeSoa(m, start, r);
        break;
      case TYPE.NULL:
        need(m, start, length);
        items.push({ field: F.null, offset: start, length, value: null });
        break;
      case TYPE.HINFO:
        decodeHinfo(m, start, r);
        break;
      case TYPE.MX: {
        const preference = u16At(m, start);
        const exchange = readName(m, start + 2);
        r.data = `${preference} ${exchange.text}`;
        r.heading = `, preference ${preference}, mx ${exchange.text}`;
        items.push({ field: F.mxPreference, offset: start, length: 2, value: preference });
        items.push({ field: F.mxExchange, offset: start + 2, length: exchange.used, value: exchange.text });
        break;
      }
      case TYPE.TXT:
        decodeStrings(m, start, length, F.txtLength, F.txt, m.flavor === 'mdns', r);
        break;
      case TYPE.SPF:
        decodeStrings(m, start, length, F.spfLength, F.spf, false, r);
        break;
      case TYPE.SRV:
        decodeSrv(m, start, r);
        break;
      case TYPE.OPT:
        decodeOptions(m, start, length, items);
        break;
      case TYPE.SVCB:
      case TYPE.HTTPS:
        decodeSvcb(m, start, length, r);
        break;
      case TYPE.CAA:
        decodeCaa(m, start, length, r);
        break;
      case TYPE.NSEC: {
        const next = readName(m, start);
        r.data = next.text;
        items.push({ field: F.nsecNextDomainName, offset: start, length: next.used, value: next.text });
        decodeTypeBitmap(m, start + next.used, length - next.used, items);
        break;
      }
      case TYPE.NSEC3:
        decodeNsec3(m, start, length, r);
        break;
      default:
        if (!wiresharkDecodesType(type)) {
          need(m, start, length);
          items.push({ field: F.data, offset: start, length, value: null });
        }
        break;
    }
  } catch (error) {
    if (!isStop(error)) throw error;
    r.stop = error;
  }
  return r;
}

const NAME_FIELDS: Readonly<Record<number, FieldDef>> = {
  [TYPE.NS]: F.ns, [TYPE.CNAME]: F.cname, [TYPE.PTR]: F.ptr, [TYPE.DNAME]: F.dname,
  [TYPE.MD]: F.md, [TYPE.MF]: F.mf, [TYPE.MB]: F.mb, [TYPE.MG]: F.mg, [TYPE.MR]: F.mr,
};

/** What Wireshark adds to the record heading before the name (MD, MF, MB, MG and MR add nothing). */
const NAME_HEADINGS: Readonly<Record<number, string>> = {
  [TYPE.NS]: 'ns ', [TYPE.CNAME]: 'cname ', [TYPE.PTR]: '', [TYPE.DNAME]: 'dname ',
};

function decodeSoa(m: Message, start: number, r: Rdata): void {
  const mname = readName(m, start);
  r.data = mname.text;
  r.heading = `, mname ${mname.text}`;
  r.items.push({ field: F.soaMname, offset: start, length: mname.used, value: mname.text });
  let offset = start + mname.used;
  const rname = readName(m, offset);
  r.data += ` ${rname.text}`;
  r.items.push({ field: F.soaRname, offset, length: rname.used, value: rname.text });
  offset += rname.used;
  for (const field of [F.soaSerial, F.soaRefresh, F.soaRetry, F.soaExpire, F.soaMinimum]) {
    const value = u32At(m, offset);
    r.data += ` ${value}`;
    r.items.push({ field, offset, length: 4, value });
    offset += 4;
  }
}

function decodeHinfo(m: Message, start: number, r: Rdata): void {
  // Wireshark reads both strings before it shows either.
  const cpuLength = byteAt(m, start);
  need(m, start + 1, cpuLength);
  const osAt = start + 1 + cpuLength;
  const osLength = byteAt(m, osAt);
  need(m, osAt + 1, osLength);
  const cpu = asciiText(m.b, start + 1, osAt);
  const os = asciiText(m.b, osAt + 1, osAt + 1 + osLength);
  r.data = `"${cpu}" "${os}"`;
  r.heading = `, CPU ${cpu}, OS ${os}`;
  r.items.push(
    { field: F.hinfoCpuLength, offset: start, length: 1, value: cpuLength },
    { field: F.hinfoCpu, offset: start + 1, length: cpuLength, value: cpu },
    { field: F.hinfoOsLength, offset: osAt, length: 1, value: osLength },
    { field: F.hinfoOs, offset: osAt + 1, length: osLength, value: os },
  );
}

/**
 * TXT and SPF: character-strings (RFC 1035 section 3.3.14) until the data is used up. Like Wireshark we
 * stop only when the lengths add up to the data exactly; a string running past the data makes the loop read
 * on until the message ends. Each turn takes at least one byte, so the loop is bounded by the message.
 */
function decodeStrings(m: Message, start: number, length: number, lengthField: FieldDef, textField: FieldDef, utf8: boolean, r: Rdata): void {
  const strings: string[] = [];
  let offset = start;
  let remaining = length;
  try {
    while (remaining !== 0) {
      const stringLength = byteAt(m, offset);
      r.items.push({ field: lengthField, offset, length: 1, value: stringLength });
      offset += 1;
      need(m, offset, stringLength);
      const text = utf8 ? utf8Text(m.b, offset, offset + stringLength) : asciiText(m.b, offset, offset + stringLength);
      r.items.push({ field: textField, offset, length: stringLength, value: text });
      strings.push(text);
      offset += stringLength;
      remaining -= 1 + stringLength;
    }
  } finally {
    r.data = strings.map((text) => `"${text}"`).join(' ');
  }
}

function decodeSrv(m: Message, start: number, r: Rdata): void {
  const priority = u16At(m, start);
  r.items.push({ field: F.srvPriority, offset: start, length: 2, value: priority });
  const weight = u16At(m, start + 2);
  r.items.push({ field: F.srvWeight, offset: start + 2, length: 2, value: weight });
  const port = u16At(m, start + 4);
  r.items.push({ field: F.srvPort, offset: start + 4, length: 2, value: port });
  const target = readName(m, start + 6);
  r.items.push({ field: F.srvTarget, offset: start + 6, length: target.used, value: target.text });
  r.data = `${priority} ${weight} ${port} ${target.text}`;
  r.heading = `, priority ${priority}, weight ${weight}, port ${port}, target ${target.text}`;
}

/**
 * EDNS options (RFC 6891 section 6.1.2): code, length, data, until the record's data is used up. Like
 * Wireshark, the code and length are read even when fewer than 4 bytes of data remain.
 */
function decodeOptions(m: Message, start: number, length: number, items: Item[]): void {
  let offset = start;
  let remaining = length;
  while (remaining > 0) {
    const code = u16At(m, offset);
    const optionLength = u16At(m, offset + 2);
    // The option's heading is shown even when its data runs past the message; the data then is not.
    const children: Item[] = [
      { field: F.optCode, offset, length: 2, value: code },
      { field: F.optLen, offset: offset + 2, length: 2, value: optionLength },
    ];
    const value = `Option: ${OPTION_CODE_NAMES[code] ?? `Unknown (${code})`}`;
    items.push({ field: F.opt, offset, length: 4 + optionLength, value, children });
    need(m, offset + 4, optionLength);
    children.push({ field: F.optData, offset: offset + 4, length: optionLength, value: null });
    offset += 4 + optionLength;
    remaining -= 4 + optionLength;
  }
}

/** SVCB and HTTPS (RFC 9460 section 2.2): priority, target name, then parameters to the end of the data. */
function decodeSvcb(m: Message, start: number, length: number, r: Rdata): void {
  const priority = u16At(m, start);
  r.items.push({ field: F.svcPriority, offset: start, length: 2, value: priority });
  const target = readName(m, start + 2);
  r.items.push({ field: F.svcTarget, offset: start + 2, length: target.used, value: target.text });
  r.data = `${priority} ${target.text}`;
  const end = start + length;
  let offset = start + 2 + target.used;
  // Every parameter takes at least its 4-byte key and length, so the loop ends at the end of the data.
  while (offset < end) {
    const paramStart = offset;
    const key = u16At(m, offset);
    const paramLength = u16At(m, offset + 2);
    const keyName = SVC_PARAM_KEY_NAMES[key] ?? `key${key}`;
    const children: Item[] = [
      { field: F.svcParamKey, offset, length: 2, value: key },
      { field: F.svcParamLength, offset: offset + 2, length: 2, value: paramLength },
    ];
    offset += 4;
    const shown: string[] = [];
    const param: Item = { field: F.svcParam, offset: paramStart, length: 4 + paramLength, value: `SvcParam: ${keyName}`, children };
    r.items.push(param);
    switch (key) {
      case SVC_PARAM.MANDATORY:
        for (let used = 0; used < paramLength; used += 2) {
          const mandatory = u16At(m, offset);
          children.push({ field: F.svcMandatoryKey, offset, length: 2, value: mandatory });
          shown.push(SVC_PARAM_KEY_NAMES[mandatory] ?? `key${mandatory}`);
          offset += 2;
        }
        break;
      case SVC_PARAM.ALPN:
        for (let used = 0; used < paramLength;) {
          const alpnLength = byteAt(m, offset);
          children.push({ field: F.svcAlpnLength, offset, length: 1, value: alpnLength });
          need(m, offset + 1, alpnLength);
          const alpn = asciiText(m.b, offset + 1, offset + 1 + alpnLength);
          children.push({ field: F.svcAlpn, offset: offset + 1, length: alpnLength, value: alpn });
          shown.push(alpn);
          offset += 1 + alpnLength;
          used += 1 + alpnLength;
        }
        break;
      case SVC_PARAM.NO_DEFAULT_ALPN:
        break;
      case SVC_PARAM.PORT: {
        const port = u16At(m, offset);
        children.push({ field: F.svcPort, offset, length: 2, value: port });
        shown.push(String(port));
        offset += 2;
        break;
      }
      case SVC_PARAM.IPV4HINT:
        for (let used = 0; used < paramLength; used += 4) {
          need(m, offset, 4);
          children.push({ field: F.svcIpv4Hint, offset, length: 4, value: null });
          shown.push(formatIpv4(m.b, offset));
          offset += 4;
        }
        break;
      case SVC_PARAM.IPV6HINT:
        for (let used = 0; used < paramLength; used += 16) {
          need(m, offset, 16);
          children.push({ field: F.svcIpv6Hint, offset, length: 16, value: null });
          shown.push(formatIpv6(m.b, offset));
          offset += 16;
        }
        break;
      case SVC_PARAM.ECHCONFIG:
      case SVC_PARAM.ODOHCONFIG:
        need(m, offset, paramLength);
        children.push({ field: key === SVC_PARAM.ECHCONFIG ? F.svcEchConfig : F.svcOdohConfig, offset, length: paramLength, value: null });
        offset += paramLength;
        break;
      default:
        if (paramLength > 0) {
          need(m, offset, paramLength);
          children.push({ field: F.svcParamValue, offset, length: paramLength, value: null });
          offset += paramLength;
        }
        break;
    }
    if (shown.length > 0) param.value = `SvcParam: ${keyName}=${shown.join(',')}`;
  }
}

/** NSEC3 (RFC 5155 section 3.2): hash parameters, the next hashed owner (shown in base32hex), type bitmap. */
function decodeNsec3(m: Message, start: number, length: number, r: Rdata): void {
  const items = r.items;
  const algorithm = byteAt(m, start);
  items.push({ field: F.nsec3Algo, offset: start, length: 1, value: algorithm });
  const flags = byteAt(m, start + 1);
  items.push({ field: F.nsec3Flags, offset: start + 1, length: 1, value: flags, children: [{ field: F.nsec3OptOut, offset: start + 1, length: 1, value: (flags & 0x01) !== 0 }] });
  const iterations = u16At(m, start + 2);
  items.push({ field: F.nsec3Iterations, offset: start + 2, length: 2, value: iterations });
  const saltLength = byteAt(m, start + 4);
  items.push({ field: F.nsec3SaltLength, offset: start + 4, length: 1, value: saltLength });
  need(m, start + 5, saltLength);
  items.push({ field: F.nsec3SaltValue, offset: start + 5, length: saltLength, value: null });
  const hashAt = start + 5 + saltLength;
  const hashLength = byteAt(m, hashAt);
  items.push({ field: F.nsec3HashLength, offset: hashAt, length: 1, value: hashLength });
  if (hashLength > 0) {
    need(m, hashAt + 1, hashLength);
    const hash = base32Hex(m.b, hashAt + 1, hashAt + 1 + hashLength);
    r.data = hash;
    items.push({ field: F.nsec3HashValue, offset: hashAt + 1, length: hashLength, value: hash });
  }
  const bitmapAt = hashAt + 1 + hashLength;
  decodeTypeBitmap(m, bitmapAt, start + length - bitmapAt, items);
}

const BASE32_HEX = '0123456789abcdefghijklmnopqrstuv';

/** RFC 4648 section 7 without padding, in lower case as Wireshark writes NSEC3 hashes. */
function base32Hex(b: Uint8Array, start: number, end: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (let i = start; i < end; i++) {
    value = ((value << 8) | b[i]) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_HEX[(value >> (bits - 5)) & 0x1f];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_HEX[(value << (5 - bits)) & 0x1f];
  return out;
}

/**
 * The type bitmap of NSEC and NSEC3 (RFC 4034 section 4.1.2): windows of a block number, a length and that
 * many bitmap bytes; every set bit is a type, shown as dns.resp.type as Wireshark does. Like Wireshark we
 * stop only when the windows use the data up exactly, and each window takes at least 2 bytes, so the loop
 * is bounded by the message.
 */
function decodeTypeBitmap(m: Message, start: number, length: number, items: Item[]): void {
  let offset = start;
  let remaining = length;
  while (remaining !== 0) {
    const block = byteAt(m, offset);
    const size = byteAt(m, offset + 1);
    offset += 2;
    remaining -= 2;
    for (let i = 0; i < size; i++) {
      const bits = byteAt(m, offset);
      for (let bit = 0; bit < 8; bit++) {
        if (bits & (0x80 >> bit)) items.push({ field: F.respType, offset, length: 1, value: block * 256 + i * 8 + bit });
      }
      offset++;
      remaining--;
    }
  }
}

/**
 * CAA (RFC 8659 section 4.1): flags, tag length, tag, value. Wireshark picks the value's field by comparing
 * only the tag's own length of characters (so 'iss' counts as 'issue'), and its value length is what the
 * data leaves after the tag, as a 16-bit number (a tag longer than the data wraps around and throws).
 */
function decodeCaa(m: Message, start: number, length: number, r: Rdata): void {
  const flags = byteAt(m, start);
  const tagLength = byteAt(m, start + 1);
  need(m, start + 2, tagLength);
  const tag = asciiText(m.b, start + 2, start + 2 + tagLength);
  const valueLength = (length - (tagLength + 2)) & 0xffff;
  const valueAt = start + 2 + tagLength;
  need(m, valueAt, valueLength);
  const value = caaValueText(m.b, valueAt, valueLength);
  const field = ['issue', 'issuewild', 'iodef'].find((known) => known.startsWith(tag));
  r.data = `${flags} ${tag} "${value}"`;
  r.items.push(
    { field: F.caaFlags, offset: start, length: 1, value: flags, children: [{ field: F.caaIssuerCritical, offset: start, length: 1, value: (flags & 0x80) !== 0 }] },
    {
      field: field === 'issue' ? F.caaIssue : field === 'issuewild' ? F.caaIssueWild : field === 'iodef' ? F.caaIodef : F.caaUnknown,
      offset: start + 1,
      length: 1 + tagLength + valueLength,
      value,
      children: [
        { field: F.caaTagLength, offset: start + 1, length: 1, value: tagLength },
        { field: F.caaTag, offset: start + 2, length: tagLength, value: tag },
        { field: F.caaValue, offset: valueAt, length: valueLength, value },
      ],
    },
  );
}

/**
 * Wireshark decodes the CAA value as ASCII (U+FFFD for bytes above 0x7f) and then formats the first
 * valueLength bytes of that text's UTF-8 with format_text.
 */
function caaValueText(b: Uint8Array, start: number, length: number): string {
  let ascii = true;
  for (let i = start; i < start + length; i++) if (b[i] >= 0x80) ascii = false;
  if (ascii) return formatText(b, start, start + length);
  const utf8 = new TextEncoder().encode(asciiText(b, start, start + length)).subarray(0, length);
  return formatText(utf8, 0, utf8.length);
}

// ---------------------------------------------------------------- names

/** A name as Wireshark shows it. */
interface DnsName {
  /** format_text of the expanded name, or '<Root>', '<Name too long>', ... */
  text: string;
  /** Bytes of the expanded name before formatting (Wireshark's name_len). */
  textLength: number;
  /** Dots in the expanded name plus one; 0 for names of one character (Wireshark's qname_labels_count). */
  labels: number;
  /** Bytes the name takes where it is (up to and including its first pointer). */
  used: number;
}

const nameBuffer = new Uint8Array(MAX_NAME_TEXT);

/**
 * Expands the name at `start` as Wireshark 4.0's expand_dns_name and get_dns_name do (RFC 1035 section
 * 4.1.4 compression):
 * - the text is built in a 255-byte buffer, the last byte kept for the NUL; a name that fills it is
 *   '<Name too long>' (RFC 1035's 255-byte limit on the wire is not checked otherwise, nor the 63-byte
 *   label limit: a label's length byte below 0x40 is taken as it is);
 * - pointers may go anywhere in the message; after 255 of them the name is
 *   '<Name contains a pointer that loops>', which is also what a loop becomes;
 * - label types 0b01 (RFC 6891 section 5): bitstring labels (RFC 2673) print as '\[x<hex>/<bits>]', other
 *   extended types give '<Unknown extended label>' and end the name; 0b10 makes the message malformed;
 * - an empty name is '<Root>'.
 * Reads past the end of the message throw PastEnd, as Wireshark's do.
 */
function readName(m: Message, start: number): DnsName {
  const b = m.b;
  const end = m.end;
  // Steps are counted locally and checked against what the message has left (the hot loop of DNS decoding).
  const stepLimit = MAX_NAME_STEPS_PER_MESSAGE - m.nameSteps;
  let steps = 0;
  let offset = start;
  let used = -1;
  let pointers = 0;
  // Wireshark's maxname (room left in the buffer), np (write position) and name_len (bytes of name).
  let room = MAX_NAME_TEXT;
  let written = 0;
  let textLength = 0;
  for (;;) {
    if (++steps > stepLimit) throw new TooManySteps(offset);
    if (offset >= end) throw new PastEnd(end);
    const c = b[offset++];
    if (c === 0) break;
    if (c < 0x40) {
      if (written > 0) {
        if (room > 0) {
          nameBuffer[written++] = 0x2e;
          textLength++;
          room--;
        }
      } else {
        room--;
      }
      if (offset + c > end) throw new PastEnd(end);
      if (room > 0) {
        const copied = Math.min(c, room);
        for (let i = 0; i < copied; i++) nameBuffer[written + i] = b[offset + i];
        written += copied;
        textLength += copied;
        room -= copied;
      }
      offset += c;
    } else if (c >= 0xc0) {
      if (offset >= end) throw new PastEnd(end);
      const target = m.start + (((c & 0x3f) << 8) | b[offset++]);
      pointers++;
      if (used < 0) used = offset - start;
      // Wireshark's own test for a pointer to itself compares with offset + 2, which never matches one;
      // loops end by the pointer count.
      if (target === offset + 2 || pointers > MAX_POINTERS) {
        m.nameSteps += steps;
        return specialName('<Name contains a pointer that loops>', used);
      }
      offset = target;
    } else if (c >= 0x80) {
      throw new BadLabel(offset - 1);
    } else if (c !== 0x41) {
      // Extended label types other than bitstrings: Wireshark gives up on the rest of the name here.
      const taken = offset - start;
      if (taken < 2) throw new BadLabel(start);
      m.nameSteps += steps;
      return specialName('<Unknown extended label>', taken);
    } else {
      // RFC 2673 bitstring label: a count of bits, then the bits, written as \[x<hex>/<count>]. It goes into
      // the buffer without a separating dot and without counting in name_len, as in Wireshark.
      if (offset >= end) throw new PastEnd(end);
      const bitCount = b[offset++];
      const pieces = ['\\[x'];
      // C's (bit_count - 1) / 8 + 1, truncating toward zero: one byte for a count of 0.
      for (let i = Math.trunc((bitCount - 1) / 8) + 1; i > 0; i--) {
        if (offset >= end) throw new PastEnd(end);
        pieces.push(b[offset++].toString(16).padStart(2, '0'));
      }
      pieces.push(`/${bitCount}]`);
      for (const piece of pieces) {
        // Each piece is an snprintf into the room left: one that does not fit stops all further writing.
        if (room <= 0) break;
        if (piece.length > room) {
          room = 0;
          break;
        }
        for (let i = 0; i < piece.length; i++) nameBuffer[written++] = piece.charCodeAt(i);
        room -= piece.length;
      }
    }
  }
  m.nameSteps += steps;
  if (used < 0) used = offset - start;
  if (room <= 0) return specialName('<Name too long>', used);
  if (textLength === 0 && used <= 2) return specialName('<Root>', used);
  if (used < 2 || (used > 2 && textLength === 0)) throw new BadLabel(start);
  let dots = 0;
  for (let i = 0; i < textLength; i++) if (nameBuffer[i] === 0x2e) dots++;
  return { text: formatText(nameBuffer, 0, textLength), textLength, labels: textLength > 1 ? dots + 1 : 0, used };
}

/** Wireshark's placeholder names: their text is what name_len and the label count are taken from. */
function specialName(text: string, used: number): DnsName {
  return { text, textLength: text.length, labels: text.length > 1 ? text.split('.').length : 0, used };
}

// ---------------------------------------------------------------- text

/** Characters g_unichar_isprint() refuses: controls, format characters, unassigned code points, surrogates. */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Cs}]/u;

const ASCII_ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/**
 * Wireshark 4.0's format_text (wsutil/str_util.c), which DNS names go through: printable ASCII as it is
 * (the backslash too); \a \b \t \n \v \f \r; other ASCII controls as \ooo; UTF-8 sequences decoded (without
 * rejecting overlong forms) and shown when printable, else as \uXXXX or \UXXXXXXXX (upper-case hex); an
 * invalid or cut sequence, or one above U+10FFFF or in the surrogates, as one U+FFFD.
 */
export function formatText(b: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i < end && b[i] >= 0x20 && b[i] < 0x7f) i++;
  if (i === end) return asciiText(b, start, end);
  let out = asciiText(b, start, i);
  while (i < end) {
    const c = b[i++];
    if (c < 0x80) {
      out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : (ASCII_ESCAPES[c] ?? `\\${c.toString(8).padStart(3, '0')}`);
      continue;
    }
    let missing: number;
    let codePoint: number;
    if ((c & 0xe0) === 0xc0) {
      missing = 1;
      codePoint = c & 0x1f;
    } else if ((c & 0xf0) === 0xe0) {
      missing = 2;
      codePoint = c & 0x0f;
    } else if ((c & 0xf8) === 0xf0) {
      missing = 3;
      codePoint = c & 0x07;
    } else if ((c & 0xfc) === 0xf8) {
      missing = 4;
      codePoint = c & 0x03;
    } else if ((c & 0xfe) === 0xfc) {
      missing = 5;
      codePoint = c & 0x01;
    } else {
      out += '\uFFFD';
      continue;
    }
    while (missing > 0 && i < end && (b[i] & 0xc0) === 0x80) {
      codePoint = codePoint * 64 + (b[i] & 0x3f);
      i++;
      missing--;
    }
    if (missing > 0 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      out += '\uFFFD';
      continue;
    }
    const character = String.fromCodePoint(codePoint);
    if (!NON_PRINTABLE.test(character)) out += character;
    else if (codePoint <= 0xffff) out += `\\u${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += `\\U${codePoint.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return out;
}

/** Wireshark's ENC_ASCII: bytes above 0x7f become U+FFFD. */
export function asciiText(b: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += b[i] < 0x80 ? String.fromCharCode(b[i]) : '\uFFFD';
  return out;
}

const utf8Decoder = new TextDecoder('utf-8');

/** Wireshark's ENC_UTF_8 (mDNS TXT strings, RFC 6763 section 6.5): invalid sequences become U+FFFD. */
function utf8Text(b: Uint8Array, start: number, end: number): string {
  return utf8Decoder.decode(b.subarray(start, end));
}
