import type { Dissection } from '../../../app/decode/dissection';
import { TcpAnalyzer, type TcpSegmentEvent } from '../../../app/tcp/analyzer';
import { analyzeFile } from '../../../main/io/analyzeFile';
import type { StreamSeries } from '../../../renderer/charts/series';
import { StreamSeriesBuilder } from '../../../app/tcp/seriesBuilder';

/**
 * The chart series of one stream of a capture file, collected the way the service would: every analysed
 * segment of the stream with its frame, through our reader, decoders and TCP analyzer. Also returns the
 * analyzer's events, to check the series against.
 */
export async function streamSeriesOfFile(path: string, stream: number): Promise<{ series: StreamSeries; events: TcpSegmentEvent[] }> {
  const builder = new StreamSeriesBuilder(stream);
  const events: TcpSegmentEvent[] = [];
  let frame: Dissection | null = null;
  const analyzer = new TcpAnalyzer({
    onSegment(event) {
      if (event.stream !== stream || !frame) return;
      events.push(event);
      builder.add(event, frame);
    },
  });
  await analyzeFile(path, {
    withTree: false,
    onFrame(d) {
      frame = d;
      analyzer.observe(d);
    },
  });
  analyzer.finish();
  return { series: builder.finish(), events };
}
