package io.medseg.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/** An immutable, ordered collection of samples, with patient-wise selection and splits. */
public final class SegmentationDataset implements Iterable<Sample> {
    private final String name;
    private final List<Sample> samples;

    private SegmentationDataset(String name, List<Sample> samples) {
        this.name = name;
        this.samples = List.copyOf(samples);
    }

    public static SegmentationDataset of(String name, Collection<Sample> samples) {
        return new SegmentationDataset(name, List.copyOf(samples));
    }

    public String name() {
        return name;
    }

    public List<Sample> samples() {
        return samples;
    }

    public int size() {
        return samples.size();
    }

    public boolean isEmpty() {
        return samples.isEmpty();
    }

    public Sample get(int i) {
        return samples.get(i);
    }

    @Override
    public Iterator<Sample> iterator() {
        return samples.iterator();
    }

    /** Patient ids in sorted order. */
    public List<String> patients() {
        Set<String> ids = new TreeSet<>();
        for (Sample s : samples) {
            ids.add(s.patientId());
        }
        return List.copyOf(ids);
    }

    /** Samples grouped by patient, patients in sorted order, samples in dataset order. */
    public Map<String, List<Sample>> byPatient() {
        Map<String, List<Sample>> map = new LinkedHashMap<>();
        for (String p : patients()) {
            map.put(p, new ArrayList<>());
        }
        for (Sample s : samples) {
            map.get(s.patientId()).add(s);
        }
        map.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(map);
    }

    /** The samples of the given patients; every id must be present. */
    public SegmentationDataset forPatients(Collection<String> patientIds) {
        Set<String> wanted = new TreeSet<>(patientIds);
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(patients());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("unknown patient ids " + missing + " in dataset " + name
                    + " (patients: " + patients() + ")");
        }
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (wanted.contains(s.patientId())) {
                out.add(s);
            }
        }
        return new SegmentationDataset(name, out);
    }

    /** Everything except the given patients. */
    public SegmentationDataset withoutPatients(Collection<String> patientIds) {
        Set<String> drop = new TreeSet<>(patientIds);
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (!drop.contains(s.patientId())) {
                out.add(s);
            }
        }
        return new SegmentationDataset(name, out);
    }

    /**
     * Splits by patient: a seeded shuffle of the sorted patient ids, the first
     * {@code max(1, round(validationFraction * patients))} go to validation. At least one patient stays in
     * training, so at least two patients are needed.
     */
    public DatasetSplit splitByPatient(double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1): " + validationFraction);
        }
        List<String> ids = new ArrayList<>(patients());
        if (ids.size() < 2) {
            throw new IllegalArgumentException("a patient-wise split needs at least 2 patients, dataset " + name
                    + " has " + ids.size());
        }
        Collections.shuffle(ids, new Random(seed));
        int nVal = (int) Math.max(1, Math.min(ids.size() - 1, Math.round(validationFraction * ids.size())));
        List<String> val = ids.subList(0, nVal);
        return new DatasetSplit(withoutPatients(val), forPatients(val));
    }

    @Override
    public String toString() {
        return "SegmentationDataset[" + name + ", " + samples.size() + " samples, " + patients().size()
                + " patients]";
    }
}
