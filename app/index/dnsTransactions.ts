import type { DnsTransaction } from '../api/types';
import type { Dissection } from '../decode/dissection';
import { dnsTypeName } from '../decode/dns';

/**
 * Pairs DNS queries with their responses while the capture is read: a response answers the oldest
 * unanswered query with the same transaction id, between the same two endpoints (client address and
 * port, server address and port) and, when both carry one, the same first question (RFC 1035 section
 * 7.3: ids alone repeat; resolvers match on id and question).
 */
export class DnsTransactionTracker {
  private readonly transactions: DnsTransaction[] = [];
  /** Query time of each transaction (seconds, nanos), for the response time. */
  private readonly queryTimes: { seconds: number; nanos: number }[] = [];
  /** Unanswered queries by endpoints and id, oldest first. */
  private readonly pending = new Map<string, number[]>();

  add(d: Dissection): void {
    const dns = d.dns;
    const ip = d.ip;
    if (!dns || !ip) return;
    const ports = d.udp ?? d.tcp;
    const clientPort = ports ? (dns.response ? ports.dstPort : ports.srcPort) : 0;
    const serverPort = ports ? (dns.response ? ports.srcPort : ports.dstPort) : 0;
    const client = dns.response ? ip.dst : ip.src;
    const server = dns.response ? ip.src : ip.dst;
    const key = `${client}|${clientPort}|${server}|${serverPort}|${dns.id}`;
    const question = dns.questions[0];
    if (!dns.response) {
      const index = this.transactions.length;
      this.transactions.push({
        queryFrame: d.frame.number,
        responseFrame: null,
        transactionId: dns.id,
        client,
        server,
        name: question?.name ?? '',
        type: question ? dnsTypeName(question.type) : '',
        rcode: null,
        answers: [],
        responseSeconds: null,
      });
      this.queryTimes.push({ seconds: d.frame.tsSeconds, nanos: d.frame.tsNanos });
      const waiting = this.pending.get(key);
      if (waiting) waiting.push(index);
      else this.pending.set(key, [index]);
      return;
    }
    const waiting = this.pending.get(key);
    const at = waiting?.findIndex((i) => !question || !this.transactions[i].name || this.transactions[i].name === question.name) ?? -1;
    if (!waiting || at < 0) return;
    const [index] = waiting.splice(at, 1);
    if (waiting.length === 0) this.pending.delete(key);
    const transaction = this.transactions[index];
    const asked = this.queryTimes[index];
    transaction.responseFrame = d.frame.number;
    transaction.rcode = rcodeName(dns.rcode);
    transaction.answers = dns.answers.map((answer) => `${dnsTypeName(answer.type)} ${answer.data}`.trim());
    transaction.responseSeconds = d.frame.tsSeconds - asked.seconds + (d.frame.tsNanos - asked.nanos) / 1e9;
  }

  result(): DnsTransaction[] {
    return this.transactions;
  }
}


/** RFC 1035 section 4.1.1 and RFC 6895 section 2.3 mnemonics. */
const RCODES: Readonly<Record<number, string>> = {
  0: 'NoError',
  1: 'FormErr',
  2: 'ServFail',
  3: 'NXDomain',
  4: 'NotImp',
  5: 'Refused',
  6: 'YXDomain',
  7: 'YXRRSet',
  8: 'NXRRSet',
  9: 'NotAuth',
  10: 'NotZone',
};

function rcodeName(rcode: number): string {
  return RCODES[rcode] ?? `RCODE${rcode}`;
}
