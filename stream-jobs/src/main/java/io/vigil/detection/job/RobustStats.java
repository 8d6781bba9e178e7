package io.vigil.detection.job;

import java.util.Arrays;

/**
 * Median and MAD (median absolute deviation) of a cohort: unlike mean and standard deviation they are not dragged
 * by the very outlier being looked for, so one straggler among 4,096 ranks (or among 5) stands out.
 */
public final class RobustStats {

    /** MAD times this estimates the standard deviation of normally distributed values. */
    static final double MAD_TO_SIGMA = 1.4826;

    public final double median;
    public final double sigma;
    public final int count;

    private RobustStats(double median, double sigma, int count) {
        this.median = median;
        this.sigma = sigma;
        this.count = count;
    }

    /**
     * Statistics of the first {@code n} values (the array is reordered). {@code relativeFloor} bounds the spread
     * from below as a fraction of the median, so a perfectly uniform cohort (or a tiny one) does not turn a
     * harmless 1% difference into a huge z-score; {@code absoluteFloor} does the same near zero.
     */
    public static RobustStats of(double[] values, int n, double relativeFloor, double absoluteFloor) {
        if (n == 0) {
            return new RobustStats(Double.NaN, Double.NaN, 0);
        }
        double median = median(values, n);
        double[] dev = new double[n];
        for (int i = 0; i < n; i++) {
            dev[i] = Math.abs(values[i] - median);
        }
        double sigma = MAD_TO_SIGMA * median(dev, n);
        sigma = Math.max(sigma, Math.max(Math.abs(median) * relativeFloor, absoluteFloor));
        return new RobustStats(median, sigma, n);
    }

    /** How many spreads {@code x} lies above (+) or below (−) the median. */
    public double z(double x) {
        return (x - median) / sigma;
    }

    static double median(double[] values, int n) {
        Arrays.sort(values, 0, n);
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
    }
}
