import { defineField } from '../fields/registry';
import type { FieldNode } from '../fields/tree';
import type { Dissection } from './dissection';

export const FRAME_FIELDS = {
  frame: defineField('frame', 'Frame', 'protocol'),
  interfaceId: defineField('frame.interface_id', 'Interface id', 'uint', { bits: 32 }),
  time: defineField('frame.time', 'Arrival Time', 'abs_time'),
  timeEpoch: defineField('frame.time_epoch', 'Epoch Time', 'rel_time'),
  number: defineField('frame.number', 'Frame Number', 'uint', { bits: 32 }),
  len: defineField('frame.len', 'Frame Length', 'uint', { bits: 32 }),
  capLen: defineField('frame.cap_len', 'Capture Length', 'uint', { bits: 32 }),
  protocols: defineField('frame.protocols', 'Protocols in frame', 'string'),
};

/** The frame's own (generated) fields, first in the tree as in Wireshark; returns the frame node. */
export function recordFrameFields(d: Dissection): FieldNode {
  const t = d.tree;
  const f = d.frame;
  const time = { seconds: f.tsSeconds, nanos: f.tsNanos };
  const frameNode = t.open(FRAME_FIELDS.frame, 0, f.capturedLength);
  t.addGenerated(FRAME_FIELDS.interfaceId, f.interfaceId);
  t.addGenerated(FRAME_FIELDS.time, time);
  t.addGenerated(FRAME_FIELDS.timeEpoch, time);
  t.addGenerated(FRAME_FIELDS.number, f.number);
  t.addGenerated(FRAME_FIELDS.len, f.originalLength);
  t.addGenerated(FRAME_FIELDS.capLen, f.capturedLength);
  t.close();
  return frameNode;
}

/** frame.protocols, once every layer has said its name (tshark joins them with ':'). */
export function recordFrameProtocols(d: Dissection, frameNode: FieldNode): void {
  if (d.tree.enabled) d.tree.addGeneratedUnder(frameNode, FRAME_FIELDS.protocols, d.protocols.join(':'));
}
