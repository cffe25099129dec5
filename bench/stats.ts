/** Median, min and max of repeated measurements. */
export interface Figure {
    median: number;
    min: number;
    max: number;
    runs: number;
}

export function figure(values: number[]): Figure {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values.length };
}

export const fmt = (f: Figure, digits = 0) => `${f.median.toFixed(digits)} (${f.min.toFixed(digits)}–${f.max.toFixed(digits)})`;
