package io.medseg.examples.cli;

import io.medseg.data.DatasetSplit;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The train/validation split {@code segment convert} writes. By patient whenever the data names at least two real
 * patients, so that no patient's frames leak into both halves; by frame otherwise (data whose patient ids are missing
 * or are placeholders, e.g. one id per frame), seeded like every other random choice.
 */
final class Splits {
    private Splits() {
    }

    /** How a split was made, for the user. */
    record Result(SegmentationDataset train, SegmentationDataset validation, boolean byPatient) {
    }

    static Result trainValidation(SegmentationDataset ds, double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new UsageException("--val-fraction must be in (0, 1): " + validationFraction);
        }
        if (hasRealPatients(ds)) {
            DatasetSplit s = ds.splitByPatient(validationFraction, seed);
            return new Result(s.train(), s.validation(), true);
        }
        if (ds.size() < 2) {
            throw new UsageException(ds.name() + ": a train/validation split needs at least 2 frames, found "
                    + ds.size());
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int nVal = (int) Math.max(1, Math.min(ds.size() - 1, Math.round(validationFraction * ds.size())));
        boolean[] inVal = new boolean[ds.size()];
        for (int i = 0; i < nVal; i++) {
            inVal[order.get(i)] = true;
        }
        // both halves keep the dataset's order
        List<Sample> train = new ArrayList<>();
        List<Sample> val = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            (inVal[i] ? val : train).add(ds.get(i));
        }
        return new Result(SegmentationDataset.of(ds.name(), train), SegmentationDataset.of(ds.name(), val), false);
    }

    /**
     * At least two distinct patient ids, none blank or a placeholder, and not simply one id per frame (which a
     * format without patient ids yields when it falls back to the frame's own name).
     */
    static boolean hasRealPatients(SegmentationDataset ds) {
        List<String> ids = ds.patients();
        if (ids.size() < 2) {
            return false;
        }
        for (String id : ids) {
            String t = id.strip().toLowerCase(Locale.ROOT);
            if (t.isEmpty() || t.equals("unknown") || t.equals("none") || t.equals("?")) {
                return false;
            }
        }
        if (ids.size() == ds.size()) {
            boolean allOwnId = ds.samples().stream().allMatch(s -> s.id().equals(s.patientId()));
            return !allOwnId;
        }
        return true;
    }
}
