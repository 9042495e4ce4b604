package io.medseg.mlops.drift;

import java.util.Arrays;

/**
 * The two-sample Kolmogorov–Smirnov test: the distance {@code D = sup |F_a(x) - F_b(x)|} between the two empirical
 * distribution functions (ties handled exactly), and its asymptotic p-value
 * {@code Q_KS((sqrt(N_e) + 0.12 + 0.11 / sqrt(N_e)) * D)} with {@code N_e = n m / (n + m)}, where
 * {@code Q_KS(λ) = 2 Σ_{k≥1} (-1)^(k-1) exp(-2 k² λ²)} is the Kolmogorov survival function and the
 * {@code 0.12 + 0.11 / sqrt(N_e)} term is Stephens' small-sample correction (as in Numerical Recipes'
 * {@code kstwo}).
 *
 * <p>The p-value assumes the values within each sample are independent draws.
 */
public final class KolmogorovSmirnov {
    private KolmogorovSmirnov() {
    }

    /** Distance, p-value and the two sample sizes. */
    public record Result(double distance, double pValue, int n, int m) {
    }

    /** Tests {@code a} against {@code b}; both non-empty, no NaN. */
    public static Result test(double[] a, double[] b) {
        double d = distance(a, b);
        return new Result(d, pValue(d, a.length, b.length), a.length, b.length);
    }

    /** The two-sample distance {@code D} in [0, 1]. */
    public static double distance(double[] a, double[] b) {
        double[] x = sortedCopy(a, "a");
        double[] y = sortedCopy(b, "b");
        int n = x.length;
        int m = y.length;
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < n && j < m) {
            double v = Math.min(x[i], y[j]);
            while (i < n && x[i] <= v) {
                i++;
            }
            while (j < m && y[j] <= v) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / n - (double) j / m));
        }
        return d;
    }

    /** Asymptotic p-value of distance {@code d} between samples of sizes {@code n} and {@code m}. */
    public static double pValue(double d, int n, int m) {
        if (!(d >= 0 && d <= 1)) {
            throw new IllegalArgumentException("ks distance must be in [0, 1]: " + d);
        }
        if (n < 1 || m < 1) {
            throw new IllegalArgumentException("sample sizes must be positive: " + n + ", " + m);
        }
        double en = Math.sqrt((double) n * m / (n + m));
        return kolmogorovSurvival((en + 0.12 + 0.11 / en) * d);
    }

    /**
     * {@code Q_KS(λ) = P(K > λ)} for the Kolmogorov distribution: the alternating series for {@code λ >= 1.18},
     * Jacobi's equivalent {@code 1 - sqrt(2π)/λ Σ exp(-(2k-1)² π² / (8 λ²))} below, where it converges faster.
     */
    public static double kolmogorovSurvival(double lambda) {
        if (Double.isNaN(lambda)) {
            throw new IllegalArgumentException("lambda must not be NaN");
        }
        if (lambda <= 0) {
            return 1;
        }
        double sum = 0;
        if (lambda < 1.18) {
            double c = Math.PI * Math.PI / (8 * lambda * lambda);
            for (int k = 1; k <= 50; k++) {
                double odd = 2 * k - 1;
                double term = Math.exp(-odd * odd * c);
                sum += term;
                if (term < 1e-17 * sum) {
                    break;
                }
            }
            return clamp(1 - Math.sqrt(2 * Math.PI) / lambda * sum);
        }
        double sign = 1;
        for (int k = 1; k <= 100; k++) {
            double term = Math.exp(-2.0 * k * k * lambda * lambda);
            sum += sign * term;
            if (term < 1e-17 * Math.abs(sum)) {
                break;
            }
            sign = -sign;
        }
        return clamp(2 * sum);
    }

    private static double clamp(double p) {
        return Math.max(0, Math.min(1, p));
    }

    private static double[] sortedCopy(double[] values, String name) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("sample " + name + " must not be empty");
        }
        double[] copy = values.clone();
        for (double v : copy) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("sample " + name + " must not contain NaN");
            }
        }
        Arrays.sort(copy);
        return copy;
    }
}
