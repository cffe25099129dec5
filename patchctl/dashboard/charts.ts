/**
 * The dashboard's charts: ECharts options rendered at generation time, on the server side, into
 * static SVG (`echarts.init(null, null, { renderer: "svg", ssr: true })`, `renderToSVGString()`).
 * The page needs no script to show them. Each SVG gets role="img", a <title> and a <desc> that
 * states every number it draws (ECharts' own aria labels are set on a DOM container, which
 * server-side rendering does not have), and every chart's numbers are also in a table next to it.
 * Segments carry their name and value as text, and decal patterns, so colour is never the only
 * signal.
 */
import type { EChartsOption } from "echarts";
import { escapeHtml, formatCount } from "./format";

/** The ECharts module (loaded on first use by html.ts). */
export type Echarts = typeof import("echarts");

export const FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif";
const TEXT = "#1f2328";
const MUTED = "#59636e";

/** Status colours, also used by the page's CSS (html.ts). Chosen for contrast on white and apart in common colour-vision deficiencies. */
export const COLORS = {
    compliant: "#1a7f37",
    nonCompliant: "#cf222e",
    neverReported: "#6e7781",
    stale: "#bc4c00",
    critical: "#a40e26",
    security: "#d1242f",
    other: "#9a6700",
    info: "#0969da",
    closed: "#1a7f37",
    open: "#bc4c00",
    new: "#cf222e",
};

export interface ChartSpec {
    /** Unique on the page; prefixes the ids of the SVG's title and description. */
    id: string;
    title: string;
    /** Every number the chart shows, in words. */
    description: string;
    option: EChartsOption;
    width: number;
    height: number;
}

const BASE: EChartsOption = {
    animation: false,
    backgroundColor: "transparent",
    textStyle: { fontFamily: FONT, fontSize: 13, color: TEXT },
    // Decal patterns: a second signal besides colour (rendered into the SVG as <pattern>s).
    aria: { enabled: true, decal: { show: true } },
};

/** One chart as an accessible inline SVG string. */
export function renderChart(echarts: Echarts, spec: ChartSpec): string {
    const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: spec.width, height: spec.height });
    try {
        chart.setOption({ ...BASE, ...spec.option });
        const svg = chart.renderToSVGString();
        return accessibleSvg(svg, spec);
    } finally {
        chart.dispose();
    }
}

/**
 * Adds role="img", a title and a description to the root <svg>, and drops the hover <style>
 * ECharts writes for interactive use (cursor and hover colours: misleading on a static page).
 */
function accessibleSvg(svg: string, spec: ChartSpec): string {
    const open = svg.indexOf(">", svg.indexOf("<svg"));
    if (!svg.startsWith("<svg") || open < 0) throw new Error(`chart ${spec.id}: ECharts did not render an SVG`);
    const head = svg.slice(0, open).replace("<svg ", `<svg role="img" aria-labelledby="${spec.id}-t ${spec.id}-d" focusable="false" class="chart" `);
    const a11y = `<title id="${spec.id}-t">${escapeHtml(spec.title)}</title><desc id="${spec.id}-d">${escapeHtml(spec.description)}</desc>`;
    return `${head}>${a11y}${svg.slice(open + 1).replace(/<style[\s\S]*?<\/style>\s*/g, "")}`;
}

/** A bar's value label, with thousands separators as everywhere on the page. */
const countLabel = (p: { value: unknown }) => formatCount(Number(p.value));

const describe = (items: Array<[string, number]>) => items.map(([name, n]) => `${name}: ${formatCount(n)}`).join("; ");

/** A donut of named parts (zeros left out of the drawing but stated in the description). */
export function donutChart(id: string, title: string, parts: Array<{ name: string; value: number; color: string }>, centre: string): ChartSpec {
    const drawn = parts.filter((p) => p.value > 0);
    return {
        id,
        title,
        description: `${describe(parts.map((p) => [p.name, p.value]))}.`,
        width: 460,
        height: 280,
        option: {
            color: drawn.map((p) => p.color),
            title: { text: centre, left: "center", top: "middle", textStyle: { color: TEXT, fontSize: 15, fontWeight: 600, lineHeight: 19, fontFamily: FONT, align: "center" } },
            series: [
                {
                    type: "pie",
                    radius: ["44%", "68%"],
                    center: ["50%", "50%"],
                    startAngle: 90,
                    avoidLabelOverlap: true,
                    label: { formatter: (p: { name: string; value: unknown }) => `${p.name}\n${formatCount(Number(p.value))}`, fontSize: 13, lineHeight: 17, color: TEXT },
                    labelLine: { length: 8, length2: 10 },
                    itemStyle: { borderColor: "#fff", borderWidth: 2 },
                    data: drawn.map((p) => ({ name: p.name, value: p.value })),
                },
            ],
        },
    };
}

/** Vertical bars, one colour each, value on top. */
export function columnChart(id: string, title: string, bars: Array<{ name: string; value: number; color: string }>, yName: string): ChartSpec {
    return {
        id,
        title,
        description: `${describe(bars.map((b) => [b.name, b.value]))}.`,
        width: 460,
        height: 280,
        option: {
            grid: { left: 48, right: 16, top: 36, bottom: 48 },
            xAxis: { type: "category", data: bars.map((b) => b.name), axisLabel: { interval: 0, color: TEXT, fontSize: 12, width: 96, overflow: "break" }, axisTick: { show: false } },
            yAxis: { type: "value", minInterval: 1, name: yName, nameTextStyle: { color: MUTED, align: "left" }, axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: "#d1d9e0" } } },
            series: [
                {
                    type: "bar",
                    barMaxWidth: 56,
                    label: { show: true, position: "top", color: TEXT, fontWeight: "bold", formatter: countLabel },
                    data: bars.map((b) => ({ value: b.value, itemStyle: { color: b.color } })),
                },
            ],
        },
    };
}

/** Horizontal bars, one colour each, value at the end. */
export function barChart(id: string, title: string, bars: Array<{ name: string; value: number; color: string }>, xName: string): ChartSpec {
    return {
        id,
        title,
        description: `${describe(bars.map((b) => [b.name, b.value]))}.`,
        width: 460,
        height: 70 + 44 * bars.length,
        option: {
            grid: { left: 120, right: 48, top: 16, bottom: 40 },
            yAxis: { type: "category", inverse: true, data: bars.map((b) => b.name), axisLabel: { color: TEXT, fontSize: 13, width: 110, overflow: "truncate" }, axisTick: { show: false } },
            xAxis: { type: "value", minInterval: 1, name: xName, nameLocation: "middle", nameGap: 26, nameTextStyle: { color: MUTED }, axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: "#d1d9e0" } } },
            series: [
                {
                    type: "bar",
                    barMaxWidth: 26,
                    label: { show: true, position: "right", color: TEXT, fontWeight: "bold", formatter: countLabel },
                    data: bars.map((b) => ({ value: b.value, itemStyle: { color: b.color } })),
                },
            ],
        },
    };
}

/** Horizontal stacked bars: one bar per category, one stack segment per series, with a legend. */
export function stackedBarChart(id: string, title: string, categories: string[], series: Array<{ name: string; color: string; values: number[] }>, xName: string): ChartSpec {
    // Label a segment only if it is wide enough for its number (the numbers are in the description and the table anyway).
    const largest = Math.max(1, ...categories.map((_, i) => series.reduce((sum, s) => sum + s.values[i], 0)));
    const minLabelled = largest * 0.07;
    const description = categories
        .map((category, i) => `${category}: ${series.map((s) => `${formatCount(s.values[i])} ${s.name.toLowerCase()}`).join(", ")}`)
        .join("; ");
    return {
        id,
        title,
        description: `${description}.`,
        width: 640,
        height: 96 + 36 * categories.length,
        option: {
            color: series.map((s) => s.color),
            legend: { top: 0, left: 0, itemGap: 16, textStyle: { color: TEXT, fontSize: 13 } },
            grid: { left: 190, right: 24, top: 40, bottom: 40 },
            yAxis: { type: "category", inverse: true, data: categories, axisLabel: { color: TEXT, fontSize: 13, width: 180, overflow: "truncate" }, axisTick: { show: false } },
            xAxis: { type: "value", minInterval: 1, name: xName, nameLocation: "middle", nameGap: 26, nameTextStyle: { color: MUTED }, axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: "#d1d9e0" } } },
            series: series.map((s) => ({
                type: "bar" as const,
                name: s.name,
                stack: "nodes",
                barMaxWidth: 24,
                labelLayout: { hideOverlap: true },
                label: { show: true, color: "#fff", fontWeight: "bold" as const, formatter: (p: { value: unknown }) => (Number(p.value) > 0 && Number(p.value) >= minLabelled ? formatCount(Number(p.value)) : "") },
                data: s.values,
            })),
        },
    };
}
