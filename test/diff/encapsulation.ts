/*
 * Which differences with tshark are outside our scope: tshark reached the field through an encapsulation
 * our decoders do not handle (PPPoE, GRE, MPLS, 802.1ad, LLC/SNAP, frame relay, IP-in-IP tunnels, ...),
 * judged from tshark's frame.protocols for the frame.
 */

/**
 * tshark protocols (frame.protocols elements) our decoders handle. Any other protocol before a field's
 * own protocol is an encapsulation outside our scope.
 */
const IN_SCOPE = new Set([
  'eth', 'ethertype', 'vlan', 'sll', 'null', 'loop', 'raw', 'arp', 'ip', 'ipv6',
  'ipv6.hopopts', 'ipv6.routing', 'ipv6.fraghdr', 'ipv6.dstopts', 'icmp', 'icmpv6', 'udp', 'tcp', 'dns', 'data',
]);
/** tshark names DNS on other ports differently but fills the same dns.* fields. */
const PROTOCOL_ALIASES: Readonly<Record<string, readonly string[]>> = { dns: ['dns', 'mdns', 'llmnr'] };
const NETWORK = new Set(['ip', 'ipv6']);
const ICMP = new Set(['icmp', 'icmpv6']);

/**
 * The encapsulation outside our scope through which tshark reached `field` in a frame, or null. A second
 * IP header not inside an ICMP error is a tunnel (IP-in-IP, 6in4): out of scope unless we decoded it too.
 */
export function encapsulationBefore(field: string, tsharkProtocols: readonly string[], ourProtocols: readonly string[]): string | null {
  const fieldProtocol = field.split('.')[0];
  // frame.* come from the capture record, never through a protocol.
  if (fieldProtocol === 'frame') return null;
  const names = PROTOCOL_ALIASES[fieldProtocol] ?? [fieldProtocol];
  // tshark has no such layer (we decoded one it did not): a real difference, whatever came before.
  const at = tsharkProtocols.findIndex((p) => names.includes(p));
  if (at < 0) return null;
  let network = false;
  for (let i = 0; i <= at; i++) {
    const protocol = tsharkProtocols[i];
    if (i < at && !IN_SCOPE.has(protocol)) return protocol;
    if (ICMP.has(protocol)) network = false;
    else if (NETWORK.has(protocol)) {
      if (network && !hasTunnel(ourProtocols)) return `${protocol}-in-ip`;
      network = true;
    }
  }
  return null;
}

function hasTunnel(protocols: readonly string[]): boolean {
  let network = false;
  for (const protocol of protocols) {
    if (ICMP.has(protocol)) network = false;
    else if (NETWORK.has(protocol)) {
      if (network) return true;
      network = true;
    }
  }
  return false;
}
