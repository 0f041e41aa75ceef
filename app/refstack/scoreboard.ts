import { seqDiff, seqGe, seqGt, seqLe, seqLt } from '../tcp/seq';

/**
 * The sender's retransmission queue as the models keep it: one unit per MSS-sized piece of sent and not
 * yet cumulatively acknowledged sequence space, with the three tags of Linux's scoreboard
 * (tcp_input.c, "This procedure tags the retransmission queue when SACKs arrive"):
 * SACKED (S), LOST (L) and RETRANS in flight (R). A unit is one "packet" in every count
 * (Linux's tcp_skb_pcount of a segment of at most one MSS; larger segments, from TSO, are split).
 *
 * Invariants: units are in sequence order, contiguous, between snd_una and snd_nxt;
 * sackedOut/lostOut/retransOut count the units tagged S, L and R; S and L are never both set.
 */
export interface Unit {
  start: number;
  end: number;
  /** Time of the latest (re)transmission, seconds. */
  sentAt: number;
  /** TSval of the latest (re)transmission, null without timestamps. */
  sentTsVal: number | null;
  /** Ever retransmitted (TCPCB_RETRANS / TCPCB_EVER_RETRANS). */
  retransmitted: boolean;
  /** Selectively acknowledged (TCPCB_SACKED_ACKED). */
  sacked: boolean;
  /** Marked lost by loss detection or a timeout (TCPCB_LOST). */
  lost: boolean;
  /** A retransmission of it is in flight (TCPCB_SACKED_RETRANS). */
  retransInFlight: boolean;
}

export class Scoreboard {
  private units: Unit[] = [];
  /** Index of the first live unit in `units` (acknowledged units are dropped lazily from the front). */
  private head = 0;
  sackedOut = 0;
  lostOut = 0;
  retransOut = 0;

  get packetsOut(): number {
    return this.units.length - this.head;
  }

  /** Linux tcp_packets_in_flight: packets_out - (sacked_out + lost_out) + retrans_out. */
  get inFlight(): number {
    return this.packetsOut - this.sackedOut - this.lostOut + this.retransOut;
  }

  first(): Unit | null {
    return this.head < this.units.length ? this.units[this.head] : null;
  }

  last(): Unit | null {
    return this.head < this.units.length ? this.units[this.units.length - 1] : null;
  }

  /** The live units, oldest first. Read-only use; tag changes go through the methods below. */
  live(): readonly Unit[] {
    if (this.head > 0) {
      this.units = this.units.slice(this.head);
      this.head = 0;
    }
    return this.units;
  }

  /** Appends new data [start, end), cut into units of at most `mss` bytes. */
  append(start: number, end: number, mss: number, time: number, tsVal: number | null): number {
    let count = 0;
    let at = start;
    while (seqLt(at, end)) {
      const size = Math.min(mss, seqDiff(at, end));
      const next = (at + size) >>> 0;
      this.units.push({ start: at, end: next, sentAt: time, sentTsVal: tsVal, retransmitted: false, sacked: false, lost: false, retransInFlight: false });
      at = next;
      count++;
    }
    return count;
  }

  /** The live units that overlap [start, end), in order. */
  overlapping(start: number, end: number): Unit[] {
    const out: Unit[] = [];
    for (let i = this.indexAtOrAfter(start); i < this.units.length; i++) {
      const u = this.units[i];
      if (seqGe(u.start, end)) break;
      if (seqGt(u.end, start)) out.push(u);
    }
    return out;
  }

  /** The live units lying entirely inside [start, end). */
  inside(start: number, end: number): Unit[] {
    return this.overlapping(start, end).filter((u) => seqGe(u.start, start) && seqLe(u.end, end));
  }

  /** Index of the first live unit whose end is after `seq` (binary search). */
  private indexAtOrAfter(seq: number): number {
    let lo = this.head;
    let hi = this.units.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqLe(this.units[mid].end, seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Removes and returns the units wholly below `ack`; a unit the ACK cuts in two is trimmed. */
  takeAcked(ack: number): Unit[] {
    const acked: Unit[] = [];
    while (this.head < this.units.length) {
      const u = this.units[this.head];
      if (seqLe(u.end, ack)) {
        acked.push(u);
        this.untag(u);
        this.head++;
      } else {
        if (seqLt(u.start, ack)) u.start = ack;
        break;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.units.length) {
      this.units = this.units.slice(this.head);
      this.head = 0;
    }
    return acked;
  }

  private untag(u: Unit): void {
    if (u.sacked) this.sackedOut--;
    if (u.lost) this.lostOut--;
    if (u.retransInFlight) this.retransOut--;
  }

  setSacked(u: Unit): void {
    if (u.sacked) return;
    u.sacked = true;
    this.sackedOut++;
    if (u.lost) {
      u.lost = false;
      this.lostOut--;
    }
  }

  setLost(u: Unit, lost: boolean): void {
    if (u.lost === lost || (lost && u.sacked)) return;
    u.lost = lost;
    this.lostOut += lost ? 1 : -1;
  }

  setRetransInFlight(u: Unit, inFlight: boolean): void {
    if (u.retransInFlight === inFlight) return;
    u.retransInFlight = inFlight;
    this.retransOut += inFlight ? 1 : -1;
  }

  /** Forgets every SACK tag (Linux on SACK reneging; RFC 6675 section 5.1 after a timeout). */
  clearSacks(): void {
    for (const u of this.live()) u.sacked = false;
    this.sackedOut = 0;
  }

  /** End of the highest SACKed unit, or `fallback` when nothing is SACKed (tcp_highest_sack_seq). */
  highestSacked(fallback: number): number {
    if (this.sackedOut === 0) return fallback;
    const live = this.live();
    for (let i = live.length - 1; i >= 0; i--) if (live[i].sacked) return live[i].end;
    return fallback;
  }
}
