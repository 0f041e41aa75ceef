import { describe, expect, it } from 'vitest';
import { selectFiles } from '../helpers/tshark';
import { encapsulationBefore } from './encapsulation';

/* The differential harness's own rules: which differences count as outside our scope, and file selection. */

const split = (protocols: string) => protocols.split(':');

describe('encapsulationBefore', () => {
  it('names the first protocol outside our scope before the field', () => {
    expect(encapsulationBefore('ip.src', split('eth:ethertype:vlan:ethertype:vlan:ethertype:pppoes:ppp:ip:tcp'), split('eth:ethertype:vlan:ethertype:vlan:ethertype')))
      .toBe('pppoes');
    expect(encapsulationBefore('tcp.srcport', split('eth:ethertype:ip:gre:ip:tcp'), split('eth:ethertype:ip'))).toBe('gre');
    expect(encapsulationBefore('vlan.id', split('eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:icmp'), [])).toBe('ieee8021ad');
    expect(encapsulationBefore('ip.ttl', split('fr:ip:icmp'), split(''))).toBe('fr');
  });

  it('does not excuse fields before the encapsulation or in plain frames', () => {
    expect(encapsulationBefore('ip.src', split('eth:ethertype:ip:gre:ip:tcp'), split('eth:ethertype:ip'))).toBeNull();
    expect(encapsulationBefore('eth.src', split('eth:ethertype:mpls:ip'), [])).toBeNull();
    expect(encapsulationBefore('tcp.len', split('eth:ethertype:ip:tcp:tls'), split('eth:ethertype:ip:tcp'))).toBeNull();
    expect(encapsulationBefore('frame.len', split('eth:ethertype:pppoes:ppp:ip'), [])).toBeNull();
  });

  it('fails a field of a layer tshark did not decode at all', () => {
    expect(encapsulationBefore('tcp.srcport', split('eth:ethertype:ip:data'), split('eth:ethertype:ip:tcp'))).toBeNull();
    expect(encapsulationBefore('eth.src', split('null:ip:udp:db-lsp-disc:json'), split('eth:ethertype:ip'))).toBeNull();
    expect(encapsulationBefore('tcp.srcport', split('eth:llc:stp'), split('eth:ethertype:ip:tcp'))).toBeNull();
  });

  it('treats DNS on the mDNS and LLMNR ports as DNS', () => {
    expect(encapsulationBefore('dns.qry.name', split('eth:ethertype:ip:udp:mdns'), split('eth:ethertype:ip:udp'))).toBeNull();
  });

  it('treats a second IP header as a tunnel unless we decoded it too, but not inside ICMP errors', () => {
    expect(encapsulationBefore('ipv6.src', split('ip:ipv6:udp:dns'), split('raw:ip'))).toBe('ipv6-in-ip');
    expect(encapsulationBefore('udp.srcport', split('ip:ipv6:udp:dns'), split('raw:ip'))).toBe('ipv6-in-ip');
    expect(encapsulationBefore('ipv6.src', split('ip:ipv6:udp:dns'), split('raw:ip:ipv6:udp:dns'))).toBeNull();
    expect(encapsulationBefore('udp.srcport', split('eth:ethertype:ip:icmp:ip:udp'), split('eth:ethertype:ip:icmp'))).toBeNull();
  });
});

describe('selectFiles', () => {
  const files = ['/c/zeek/Traces/a.pcap', '/c/zeek/Traces/dns/b.pcap', '/c/arkime/pcap/dns-tcp.pcap'];

  it('selects by substring and by wildcard', () => {
    expect(selectFiles(files, undefined)).toEqual(files);
    expect(selectFiles(files, 'dns')).toEqual(files.slice(1));
    expect(selectFiles(files, '/c/zeek/*/a.pcap')).toEqual(files.slice(0, 1));
    expect(selectFiles(files, '/c/zeek/**')).toEqual(files.slice(0, 2));
    expect(selectFiles(files, 'nothing,/c/arkime/pcap/dns-?cp.pcap')).toEqual(files.slice(2));
  });
});
