/** Why a layer could not be decoded completely. Decoders return these; they never throw. */
export interface DecodeIssue {
  code: 'truncated' | 'bad-length' | 'bad-value' | 'loop' | 'unsupported' | 'internal';
  /** Protocol abbreviation of the layer, e.g. 'ip', 'tcp', 'dns'. */
  layer: string;
  /** Absolute offset (in the data source of the layer) where decoding failed. */
  offset: number;
  message: string;
}
