package io.medseg.backend;

import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/** A backend whose plain {@code create} and {@code load} use one precision; see {@link Backend#withPrecision}. */
final class FixedPrecisionBackend implements Backend {
    private final Backend delegate;
    private final Precision precision;

    private FixedPrecisionBackend(Backend delegate, Precision precision) {
        this.delegate = delegate;
        this.precision = precision;
    }

    static Backend of(Backend backend, Precision precision) {
        Objects.requireNonNull(precision, "precision");
        Backend base = backend instanceof FixedPrecisionBackend f ? f.delegate : Objects.requireNonNull(backend);
        return new FixedPrecisionBackend(base, precision);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String description() {
        return delegate.description() + ", " + precision.label();
    }

    @Override
    public SegmentationModel create(UNetSpec spec, long seed) {
        return delegate.create(spec, seed, precision);
    }

    @Override
    public SegmentationModel create(UNetSpec spec, long seed, Precision other) {
        return delegate.create(spec, seed, other);
    }

    @Override
    public SegmentationModel load(Path dir) throws IOException {
        return delegate.load(dir, precision);
    }

    @Override
    public SegmentationModel load(Path dir, Precision other) throws IOException {
        return delegate.load(dir, other);
    }

    @Override
    public Backend withPrecision(Precision other) {
        return of(delegate, other);
    }

    @Override
    public String toString() {
        return delegate + " at " + precision.label();
    }
}
