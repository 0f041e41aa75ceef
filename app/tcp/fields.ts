import { defineField } from '../fields/registry';

/*
 * Fields the TCP analysis adds to a frame (Wireshark's names and types, epan/dissectors/packet-tcp.c of
 * 4.0). The header fields themselves (tcp.srcport, tcp.seq_raw, ...) belong to the TCP decoder. Wireshark's
 * FT_NONE items and expert infos (tcp.analysis.flags, tcp.analysis.retransmission, ...) carry no value:
 * they are 'label' fields, present or absent.
 */
export const TCP_ANALYSIS_FIELDS = {
  stream: defineField('tcp.stream', 'Stream index', 'uint', { bits: 32 }),
  completeness: defineField('tcp.completeness', 'Conversation completeness', 'uint', { bits: 8 }),
  seq: defineField('tcp.seq', 'Sequence Number', 'uint', { bits: 32 }),
  nxtseq: defineField('tcp.nxtseq', 'Next Sequence Number', 'uint', { bits: 32 }),
  ack: defineField('tcp.ack', 'Acknowledgment Number', 'uint', { bits: 32 }),
  windowSize: defineField('tcp.window_size', 'Calculated window size', 'uint', { bits: 32 }),
  windowScaleFactor: defineField('tcp.window_size_scalefactor', 'Window size scaling factor', 'int', { bits: 32 }),
  timeRelative: defineField('tcp.time_relative', 'Time since first frame in this TCP stream', 'rel_time'),
  timeDelta: defineField('tcp.time_delta', 'Time since previous frame in this TCP stream', 'rel_time'),
  analysis: defineField('tcp.analysis', 'SEQ/ACK analysis', 'label'),
  acksFrame: defineField('tcp.analysis.acks_frame', 'This is an ACK to the segment in frame', 'framenum'),
  ackRtt: defineField('tcp.analysis.ack_rtt', 'The RTT to ACK the segment was', 'rel_time'),
  initialRtt: defineField('tcp.analysis.initial_rtt', 'iRTT', 'rel_time'),
  bytesInFlight: defineField('tcp.analysis.bytes_in_flight', 'Bytes in flight', 'uint', { bits: 32 }),
  pushBytesSent: defineField('tcp.analysis.push_bytes_sent', 'Bytes sent since last PSH flag', 'uint', { bits: 32 }),
  flags: defineField('tcp.analysis.flags', 'TCP Analysis Flags', 'label'),
  reusedPorts: defineField('tcp.analysis.reused_ports', 'A new tcp session is started with the same ports as an earlier session in this trace', 'label'),
  retransmission: defineField('tcp.analysis.retransmission', 'This frame is a (suspected) retransmission', 'label'),
  rto: defineField('tcp.analysis.rto', 'The RTO for this segment was', 'rel_time'),
  rtoFrame: defineField('tcp.analysis.rto_frame', 'RTO based on delta from frame', 'framenum'),
  fastRetransmission: defineField('tcp.analysis.fast_retransmission', 'This frame is a (suspected) fast retransmission', 'label'),
  spuriousRetransmission: defineField('tcp.analysis.spurious_retransmission', 'This frame is a (suspected) spurious retransmission', 'label'),
  outOfOrder: defineField('tcp.analysis.out_of_order', 'This frame is a (suspected) out-of-order segment', 'label'),
  lostSegment: defineField('tcp.analysis.lost_segment', 'Previous segment(s) not captured (common at capture start)', 'label'),
  ackLostSegment: defineField('tcp.analysis.ack_lost_segment', "ACKed segment that wasn't captured (common at capture start)", 'label'),
  windowUpdate: defineField('tcp.analysis.window_update', 'TCP window update', 'label'),
  windowFull: defineField('tcp.analysis.window_full', 'TCP window specified by the receiver is now completely full', 'label'),
  keepAlive: defineField('tcp.analysis.keep_alive', 'TCP keep-alive segment', 'label'),
  keepAliveAck: defineField('tcp.analysis.keep_alive_ack', 'ACK to a TCP keep-alive segment', 'label'),
  duplicateAck: defineField('tcp.analysis.duplicate_ack', 'Duplicate ACK', 'label'),
  duplicateAckNum: defineField('tcp.analysis.duplicate_ack_num', 'Duplicate ACK #', 'uint', { bits: 32 }),
  duplicateAckFrame: defineField('tcp.analysis.duplicate_ack_frame', 'Duplicate to the ACK in frame', 'framenum'),
  zeroWindowProbe: defineField('tcp.analysis.zero_window_probe', 'TCP Zero Window Probe', 'label'),
  zeroWindow: defineField('tcp.analysis.zero_window', 'TCP Zero Window segment', 'label'),
  zeroWindowProbeAck: defineField('tcp.analysis.zero_window_probe_ack', 'ACK to a TCP Zero Window Probe', 'label'),
};

/** udp.stream: UDP conversations are numbered in order of first appearance, like TCP's. */
export const UDP_CONVERSATION_FIELDS = {
  stream: defineField('udp.stream', 'Stream index', 'uint', { bits: 32 }),
};
