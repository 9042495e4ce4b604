package io.medseg.mlops.drift;

/**
 * The population stability index between two binned distributions:
 * {@code PSI = Σ_i (q_i - p_i) ln(q_i / p_i)} over bins with reference proportion {@code p_i} and incoming
 * proportion {@code q_i}, where a proportion below {@code epsilon} (an empty bin) counts as {@code epsilon}. The
 * customary reading is below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a significant shift.
 */
public final class PopulationStability {
    private PopulationStability() {
    }

    /** PSI of incoming bin counts against reference bin counts (same bins, each side with a positive total). */
    public static double index(long[] referenceCounts, long[] incomingCounts, double epsilon) {
        if (referenceCounts == null || incomingCounts == null) {
            throw new IllegalArgumentException("bin counts must not be null");
        }
        if (referenceCounts.length != incomingCounts.length || referenceCounts.length == 0) {
            throw new IllegalArgumentException("bin counts must have the same, positive length: "
                    + referenceCounts.length + " vs " + incomingCounts.length);
        }
        if (!(epsilon > 0 && epsilon < 1)) {
            throw new IllegalArgumentException("epsilon must be in (0, 1): " + epsilon);
        }
        double refTotal = total(referenceCounts, "reference");
        double incTotal = total(incomingCounts, "incoming");
        double psi = 0;
        for (int i = 0; i < referenceCounts.length; i++) {
            double p = Math.max(referenceCounts[i] / refTotal, epsilon);
            double q = Math.max(incomingCounts[i] / incTotal, epsilon);
            psi += (q - p) * Math.log(q / p);
        }
        return psi;
    }

    private static double total(long[] counts, String side) {
        long t = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException(side + " bin counts must not be negative: " + c);
            }
            t += c;
        }
        if (t == 0) {
            throw new IllegalArgumentException(side + " bin counts must not all be zero");
        }
        return t;
    }
}
