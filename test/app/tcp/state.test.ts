import { describe, expect, it } from 'vitest';
import { TcpFlag } from '../../../app/tcp/analysis';
import { TCP_STATE_NAMES, TcpConnectionStates } from '../../../app/tcp/state';

const { syn, ack, fin, rst } = TcpFlag;

/** Feeds [from, flags, seq, ack, len] and returns both ends' state names after each segment. */
function trace(segments: [0 | 1, number, number, number, number][]): string[] {
  const states = new TcpConnectionStates();
  return segments.map(([from, flags, seq, ackNo, len]) => {
    states.observe(from, flags, seq, ackNo, len);
    return `${TCP_STATE_NAMES[states.states[0]]} ${TCP_STATE_NAMES[states.states[1]]}`;
  });
}

describe('RFC 9293 states of both ends', () => {
  it('three-way handshake (section 3.5, figure 6), data, active close by A (section 3.6, figure 12)', () => {
    expect(
      trace([
        [0, syn, 100, 0, 0],
        [1, syn | ack, 900, 101, 0],
        [0, ack, 101, 901, 0],
        [0, ack, 101, 901, 50],
        [0, fin | ack, 151, 901, 0],
        [1, ack, 901, 152, 0],
        [1, fin | ack, 901, 152, 0],
        [0, ack, 152, 902, 0],
      ]),
    ).toEqual([
      'SYN-SENT LISTEN',
      'ESTABLISHED SYN-RECEIVED',
      'ESTABLISHED ESTABLISHED',
      'ESTABLISHED ESTABLISHED',
      'FIN-WAIT-1 CLOSE-WAIT',
      'FIN-WAIT-2 CLOSE-WAIT',
      'TIME-WAIT LAST-ACK',
      'TIME-WAIT CLOSED',
    ]);
  });

  it('a FIN crossing an unacknowledged FIN: CLOSING, then TIME-WAIT', () => {
    const states = trace([
      [0, syn, 1, 0, 0],
      [1, syn | ack, 7, 2, 0],
      [0, ack, 2, 8, 0],
      [0, fin | ack, 2, 8, 0],
      [1, fin | ack, 8, 2, 0],
      [1, ack, 9, 3, 0],
    ]);
    expect(states.slice(3)).toEqual(['FIN-WAIT-1 CLOSE-WAIT', 'CLOSING LAST-ACK', 'TIME-WAIT LAST-ACK']);
  });

  it('a reset closes both ends', () => {
    expect(trace([[0, syn, 1, 0, 0], [1, rst | ack, 0, 2, 0]])).toEqual(['SYN-SENT LISTEN', 'CLOSED CLOSED']);
  });

  it('a capture starting mid-connection starts ESTABLISHED', () => {
    expect(trace([[1, ack, 5, 9, 10]])).toEqual(['ESTABLISHED ESTABLISHED']);
  });

  it('simultaneous open (section 3.5, figure 8)', () => {
    expect(
      trace([
        [0, syn, 100, 0, 0],
        [1, syn, 300, 0, 0],
        [0, syn | ack, 100, 301, 0],
        [1, syn | ack, 300, 101, 0],
      ]),
    ).toEqual(['SYN-SENT LISTEN', 'SYN-RECEIVED SYN-RECEIVED', 'SYN-RECEIVED ESTABLISHED', 'ESTABLISHED ESTABLISHED']);
  });
});
