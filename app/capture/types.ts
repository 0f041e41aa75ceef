/** One captured record, as read from a pcap or pcapng file (or a live pipe). */
export interface RawFrame {
  /** 1-based position in the file, as tshark's frame.number. */
  number: number;
  /** LINKTYPE_* value of the interface the frame was captured on. */
  linkType: number;
  /** pcapng interface index (0 for classic pcap). */
  interfaceId: number;
  /** Whole seconds since the epoch; exact (a double holds integers to 2^53). */
  tsSeconds: number;
  /** Nanoseconds within the second, 0..999_999_999; together with tsSeconds the exact timestamp. */
  tsNanos: number;
  /** Bytes on the wire (frame.len). */
  originalLength: number;
  /**
   * Captured bytes (frame.cap_len = data.length). A view into the reader's buffer:
   * valid only during the callback that receives it; copy it (slice) to keep it.
   */
  data: Uint8Array;
  /** Byte offset of the record (pcap record header / pcapng block) in the file. */
  fileOffset: number;
}

/** Something wrong with the file itself; reading stops there, frames before it are kept. */
export interface CaptureProblem {
  /** Byte offset in the file where the problem starts. */
  offset: number;
  /** One clear sentence for the user, e.g. "The last record is cut off: 1514 bytes announced, 200 present." */
  message: string;
}

export interface CaptureSink {
  frame(frame: RawFrame): void;
  /** Called at most once per reader; no frame follows it. */
  problem(problem: CaptureProblem): void;
}

/** An incremental reader: push chunks as they arrive, then end(). Never holds more than one record. */
export interface CaptureReader {
  push(chunk: Uint8Array): void;
  end(): void;
  /** Classic pcap or pcapng, once the magic has been seen. */
  readonly format: 'pcap' | 'pcapng' | null;
}
