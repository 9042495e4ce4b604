package io.medseg.data.tfrecord;

import io.medseg.data.DataFormatException;
import io.medseg.data.ReadLimits;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the records of one TFRecord file, one at a time; memory is bounded by the largest record.
 *
 * <p>Each record is {@code uint64 length (LE) | uint32 masked CRC32C of those 8 bytes | payload | uint32 masked
 * CRC32C of the payload}; both checksums are verified. A file starting with the gzip magic ({@code 1f 8b}) is read
 * through {@link GZIPInputStream}; offsets then count bytes of the uncompressed stream.
 *
 * <p>Faults are {@link DataFormatException}s naming the file, the record index and its byte offset: a length or
 * payload checksum mismatch, a length over {@link ReadLimits#maxRecordBytes()} (or, for plain files, more than the
 * bytes left), a gzip stream that expands past {@link ReadLimits#maxDecompressedBytes()}, and a file that ends inside
 * a record. A compressed record's declared length is never trusted for an allocation: its payload is read in growing
 * chunks, so a short stream that announces a large record fails at its end, not in the heap. With {@code skipCorrupt} a record whose payload checksum fails is skipped and counted; a
 * bad length checksum leaves no way to find the next record, so reading stops there (counted, with a warning), as
 * it does at a truncated tail.
 */
public final class TFRecordReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TFRecordReader.class);
    private static final int HEADER = 12;
    /** First chunk of a compressed record's payload; it doubles while the stream delivers more. */
    private static final int FIRST_CHUNK = 1 << 16;

    private final Path file;
    private final InputStream in;
    private final boolean skipCorrupt;
    private final ReadLimits limits;
    /** Bytes in the file for plain files, -1 for gzip (unknown until read). */
    private final long size;
    private final byte[] header = new byte[HEADER];
    private final byte[] footer = new byte[4];
    private long position;
    private long nextIndex;
    private long recordIndex = -1;
    private long offset = -1;
    private int skipped;
    private boolean ended;

    private TFRecordReader(Path file, InputStream in, boolean skipCorrupt, ReadLimits limits, long size) {
        this.file = file;
        this.in = in;
        this.skipCorrupt = skipCorrupt;
        this.limits = limits;
        this.size = size;
    }

    /** Opens {@code file}, failing on the first corrupt record. */
    public static TFRecordReader open(Path file) throws IOException {
        return open(file, false);
    }

    /** Opens {@code file}; with {@code skipCorrupt}, records with a bad payload checksum are skipped and counted. */
    public static TFRecordReader open(Path file, boolean skipCorrupt) throws IOException {
        return open(file, skipCorrupt, ReadLimits.defaults());
    }

    /** As {@link #open(Path, boolean)}, within {@code limits} (record size, decompressed size). */
    public static TFRecordReader open(Path file, boolean skipCorrupt, ReadLimits limits) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(limits, "limits");
        boolean gzip = isGzip(file);
        InputStream raw = Files.newInputStream(file);
        try {
            if (gzip) {
                return new TFRecordReader(file, new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16),
                        skipCorrupt, limits, -1);
            }
            return new TFRecordReader(file, new BufferedInputStream(raw, 1 << 16), skipCorrupt, limits,
                    Files.size(file));
        } catch (EOFException e) {
            raw.close();
            throw new DataFormatException(file, "truncated gzip stream: the file has " + Files.size(file)
                    + " bytes, less than a gzip header (10 bytes)", e);
        } catch (ZipException e) {
            raw.close();
            throw new DataFormatException(file, "not a readable gzip stream: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /**
     * Whether {@code file} looks like a TFRecord file: it starts with the gzip magic, or its first 12 bytes are a
     * length followed by that length's masked CRC32C. An unreadable or too-short file gives {@code false}.
     */
    public static boolean looksLikeTFRecord(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(HEADER);
            if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
                return true;
            }
            return b.length == HEADER && Crc.readIntLE(b, 8) == Crc.masked(b, 0, 8);
        } catch (IOException e) {
            return false;
        }
    }

    /** The next record's payload, or {@code null} at the end of the file (or where reading had to stop). */
    public byte[] next() throws IOException {
        while (!ended) {
            long start = position;
            long index = nextIndex;
            int n = read(header, 0, HEADER, index, start);
            if (n == 0) {
                ended = true;
                return null;
            }
            if (n < HEADER) {
                truncated(index, start, "the file ends " + n + " bytes into the 12-byte record header");
                return null;
            }
            nextIndex++;
            long length = Crc.readLongLE(header, 0);
            int storedLengthCrc = Crc.readIntLE(header, 8);
            int lengthCrc = Crc.masked(header, 0, 8);
            if (storedLengthCrc != lengthCrc) {
                String what = "length checksum mismatch (stored " + Crc.hex(storedLengthCrc) + ", computed "
                        + Crc.hex(lengthCrc) + ")";
                if (!skipCorrupt) {
                    throw fault(index, start, what);
                }
                skipped++;
                ended = true;
                LOG.warn("{}: record {} at byte offset {}: {}; cannot find the next record, stopping here", file,
                        index, start, what);
                return null;
            }
            if (length < 0 || length > limits.maxRecordBytes()) {
                throw fault(index, start, "record length " + Long.toUnsignedString(length) + " is over the limit of "
                        + limits.maxRecordBytes() + " bytes (raise it with -D" + ReadLimits.PROPERTY_PREFIX
                        + "maxRecordBytes)");
            }
            if (size >= 0 && length + 4 > size - position) {
                // The length passed its checksum, so the file, not the length, is short.
                truncated(index, start, "the header announces " + length + " payload bytes + 4 checksum bytes but only "
                        + (size - position) + " bytes remain");
                return null;
            }
            byte[] payload = size >= 0 ? new byte[(int) length] : new byte[(int) Math.min(length, FIRST_CHUNK)];
            int got = 0;
            while (true) {
                got += read(payload, got, payload.length - got, index, start);
                if (got < payload.length || got == length) {
                    break;
                }
                // the stream delivered all asked for so far: only now is the next chunk worth allocating
                payload = Arrays.copyOf(payload, (int) Math.min(length, 2L * payload.length));
            }
            if (got < length) {
                truncated(index, start, "the file ends " + got + " bytes into a " + length + "-byte payload");
                return null;
            }
            int f = read(footer, 0, 4, index, start);
            if (f < 4) {
                truncated(index, start, "the file ends inside the payload checksum");
                return null;
            }
            int storedCrc = Crc.readIntLE(footer, 0);
            int crc = Crc.masked(payload, 0, payload.length);
            if (storedCrc != crc) {
                String what = "payload checksum mismatch (stored " + Crc.hex(storedCrc) + ", computed " + Crc.hex(crc)
                        + ", " + length + " bytes)";
                if (!skipCorrupt) {
                    throw fault(index, start, what);
                }
                skipped++;
                LOG.warn("{}: record {} at byte offset {}: {}; skipped", file, index, start, what);
                continue;
            }
            recordIndex = index;
            offset = start;
            return payload;
        }
        return null;
    }

    /** Index (0-based, counting skipped records) of the record {@link #next()} last returned; -1 before the first. */
    public long recordIndex() {
        return recordIndex;
    }

    /** Byte offset, in the uncompressed stream, of the record {@link #next()} last returned; -1 before the first. */
    public long offset() {
        return offset;
    }

    /** Records skipped so far (checksum mismatches and a truncated tail, with {@code skipCorrupt}). */
    public int skipped() {
        return skipped;
    }

    /** The file being read. */
    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        ended = true;
        in.close();
    }

    private void truncated(long index, long start, String detail) throws DataFormatException {
        ended = true;
        String what = "truncated record: " + detail;
        if (!skipCorrupt) {
            throw fault(index, start, what);
        }
        skipped++;
        LOG.warn("{}: record {} at byte offset {}: {}; skipped", file, index, start, what);
    }

    private DataFormatException fault(long index, long start, String what) {
        ended = true;
        return new DataFormatException(file, "record " + index + " at byte offset " + start + ": " + what);
    }

    /**
     * Reads up to {@code len} bytes into {@code buf} at {@code off}, fewer only at the end of the stream; a cut gzip
     * stream counts as its end.
     */
    private int read(byte[] buf, int off, int len, long index, long start) throws IOException {
        int total = 0;
        try {
            while (total < len) {
                int r = in.read(buf, off + total, len - total);
                if (r < 0) {
                    break;
                }
                total += r;
                if (size < 0 && position + total > limits.maxDecompressedBytes()) {
                    throw fault(index, start, "the gzip stream expands past the limit of "
                            + limits.maxDecompressedBytes() + " bytes (raise it with -D" + ReadLimits.PROPERTY_PREFIX
                            + "maxDecompressedBytes)");
                }
            }
        } catch (EOFException e) {
            // GZIPInputStream reports a cut-off stream this way: treat like the end of a plain file.
        } catch (ZipException e) {
            throw new DataFormatException(file, "record " + index + " at byte offset " + start
                    + ": corrupt gzip stream: " + e.getMessage(), e);
        }
        position += total;
        return total;
    }
}
