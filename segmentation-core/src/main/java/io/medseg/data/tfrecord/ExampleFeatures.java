package io.medseg.data.tfrecord;

import com.google.protobuf.ByteString;
import io.medseg.data.tfrecord.proto.BytesList;
import io.medseg.data.tfrecord.proto.Example;
import io.medseg.data.tfrecord.proto.Feature;
import io.medseg.data.tfrecord.proto.Int64List;
import java.util.Map;

/** Typed, checked access to an {@code Example}'s features, with errors that name the key. */
final class ExampleFeatures {
    private ExampleFeatures() {
    }

    static Map<String, Feature> map(Example ex) {
        return ex.getFeatures().getFeatureMap();
    }

    static Feature require(Example ex, String key) throws ExampleFormatException {
        Feature f = map(ex).get(key);
        if (f == null) {
            throw new ExampleFormatException("missing feature '" + key + "' (present: " + map(ex).keySet() + ")");
        }
        return f;
    }

    static String kind(Feature f) {
        return switch (f.getKindCase()) {
            case BYTES_LIST -> "bytes_list";
            case FLOAT_LIST -> "float_list";
            case INT64_LIST -> "int64_list";
            case KIND_NOT_SET -> "no value";
        };
    }

    /** The single int64 value of {@code key}. */
    static long int64(Example ex, String key) throws ExampleFormatException {
        Feature f = require(ex, key);
        if (f.getKindCase() != Feature.KindCase.INT64_LIST) {
            throw new ExampleFormatException("feature '" + key + "' must be an int64_list, got " + kind(f));
        }
        if (f.getInt64List().getValueCount() != 1) {
            throw new ExampleFormatException("feature '" + key + "' must hold exactly 1 int64, got "
                    + f.getInt64List().getValueCount());
        }
        return f.getInt64List().getValue(0);
    }

    /** The single bytes value of {@code key}. */
    static ByteString bytes(Example ex, String key) throws ExampleFormatException {
        Feature f = require(ex, key);
        return bytes(f, key);
    }

    static ByteString bytes(Feature f, String key) throws ExampleFormatException {
        if (f.getKindCase() != Feature.KindCase.BYTES_LIST) {
            throw new ExampleFormatException("feature '" + key + "' must be a bytes_list, got " + kind(f));
        }
        if (f.getBytesList().getValueCount() != 1) {
            throw new ExampleFormatException("feature '" + key + "' must hold exactly 1 bytes value, got "
                    + f.getBytesList().getValueCount());
        }
        return f.getBytesList().getValue(0);
    }

    /** A positive dimension stored under {@code key}. */
    static int dimension(Example ex, String key) throws ExampleFormatException {
        long v = int64(ex, key);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new ExampleFormatException("feature '" + key + "' must be a positive size, got " + v);
        }
        return (int) v;
    }

    static Feature int64Feature(long v) {
        return Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(v)).build();
    }

    static Feature bytesFeature(ByteString b) {
        return Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(b)).build();
    }

    /** The patient part of an id such as {@code SCD0000101/48}, or {@code "unknown"}. */
    static String patientOf(String id) {
        int slash = id.indexOf('/');
        return slash > 0 ? id.substring(0, slash) : "unknown";
    }
}
