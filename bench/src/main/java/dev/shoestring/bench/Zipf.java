package dev.shoestring.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Zipf(s) ranks 0..n-1 by inverse CDF over a precomputed table: O(n) memory once (8 bytes per
 * rank, 80 MB at 10M) and a binary search per draw, fast enough that the generator is bound by
 * Kafka, not by sampling.
 */
final class Zipf {
    private final double[] cdf;

    Zipf(int n, double s) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1");
        }
        cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
    }

    int sample(SplittableRandom random) {
        int i = Arrays.binarySearch(cdf, random.nextDouble());
        int rank = i >= 0 ? i : -i - 1;
        return Math.min(rank, cdf.length - 1);
    }
}
