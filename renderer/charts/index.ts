/*
 * The charts' public surface for the UI: the composite StreamCharts (what a stream's Charts tab shows),
 * the single interactive ChartCanvas, and the data they take.
 */
export { StreamCharts, type StreamChartsProps } from './StreamCharts';
export { ChartCanvas, type ChartCanvasProps } from './ChartCanvas';
export { LinkedTimeAxis } from './timeAxis';
export { ratesChart, rttChart, timeSequenceChart, windowsChart, layerCsv, type ChartSpec, type ChartLayer } from './layers';
export type { StreamSeries, DirectionSeries } from './series';
