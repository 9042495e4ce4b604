package io.medseg.backend;

import io.medseg.data.DataFormatException;
import io.medseg.io.TextFields;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of a model's weights (and batch-norm statistics) by variable name, held in Java memory. Used to keep
 * the best epoch's weights while training goes on, and written to disk by training checkpoints
 * ({@link #writeTo}, {@link #readFrom}).
 */
public final class ModelState {
    private final Map<String, float[]> values;

    public ModelState(Map<String, float[]> values) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, v.clone()));
        this.values = Collections.unmodifiableMap(copy);
    }

    /** Variable names in a stable order. */
    public Iterable<String> names() {
        return values.keySet();
    }

    /** A copy of one variable's values. */
    public float[] get(String name) {
        float[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no variable named " + name + " in this state");
        }
        return v.clone();
    }

    public int size() {
        return values.size();
    }

    public long parameterCount() {
        long n = 0;
        for (float[] v : values.values()) {
            n += v.length;
        }
        return n;
    }

    private static final int MAGIC = 0x4D535431; // "MST1"
    private static final int MAX_NAME_BYTES = 4096;
    /** The most values one entry may hold: as many float32 as one Java byte array can carry. */
    private static final int MAX_VALUES = (Integer.MAX_VALUE - 8) / Float.BYTES;

    /**
     * Writes the state in a small binary format: a magic number, the entry count, then per entry the name
     * (modified UTF-8), the value count and the values as little-endian float32. Does not close {@code out}.
     */
    public void writeTo(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(values.size());
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            data.writeUTF(e.getKey());
            float[] v = e.getValue();
            data.writeInt(v.length);
            ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(v);
            data.write(buf.array());
        }
        data.flush();
    }

    /**
     * Reads a state written by {@link #writeTo} from a file.
     *
     * @throws DataFormatException naming the file if it is not such a state or ends early (the message says where)
     * @throws IOException if the file cannot be read
     */
    public static ModelState read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return readFrom(in);
        } catch (MalformedState e) {
            throw new DataFormatException(file, e.getMessage(), e.getCause());
        }
    }

    /**
     * Reads a state written by {@link #writeTo}. Memory grows with the bytes actually read, never with a count the
     * stream declares, so a short hostile stream cannot make it allocate gigabytes.
     *
     * @throws IOException if the stream is not such a state or ends early (the message says where)
     */
    public static ModelState readFrom(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        try {
            int magic = data.readInt();
            if (magic != MAGIC) {
                throw new MalformedState("not a model state (bad magic number 0x" + Integer.toHexString(magic)
                        + ")");
            }
            int count = data.readInt();
            if (count < 0) {
                throw new MalformedState("model state has a negative entry count: " + count);
            }
            Map<String, float[]> map = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = data.readUTF();
                if (name.isEmpty() || name.length() > MAX_NAME_BYTES) {
                    throw new MalformedState("model state entry " + i + " has an invalid name");
                }
                String shown = TextFields.excerpt(name);
                int n = data.readInt();
                if (n < 0 || n > MAX_VALUES) {
                    throw new MalformedState("model state entry " + shown + " declares " + n + " values (0 to "
                            + MAX_VALUES + " allowed)");
                }
                // readNBytes fills its buffers as bytes arrive instead of allocating the declared size up front
                byte[] bytes = data.readNBytes(n * Float.BYTES);
                if (bytes.length < n * Float.BYTES) {
                    throw new MalformedState("model state ends early (truncated file): entry " + shown
                            + " declares " + n + " values but only " + bytes.length / Float.BYTES + " follow");
                }
                float[] v = new float[n];
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                if (map.put(name, v) != null) {
                    throw new MalformedState("model state has entry " + shown + " twice");
                }
            }
            if (data.read() != -1) {
                throw new MalformedState("model state has trailing bytes after " + count + " entries");
            }
            return new ModelState(map);
        } catch (EOFException e) {
            throw new MalformedState("model state ends early (truncated file)", e);
        } catch (java.io.UTFDataFormatException e) {
            throw new MalformedState("model state has an entry name that is not modified UTF-8", e);
        }
    }

    /** A stream that is not a model state, as opposed to one that cannot be read. */
    private static final class MalformedState extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedState(String message) {
            super(message);
        }

        MalformedState(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
