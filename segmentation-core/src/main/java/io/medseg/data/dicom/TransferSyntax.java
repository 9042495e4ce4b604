package io.medseg.data.dicom;

import java.util.Map;

/**
 * The transfer syntaxes this reader knows by name. Only the two uncompressed little-endian ones can be read;
 * the others are listed so that a refusal can say what the file is.
 */
final class TransferSyntax {
    static final String IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";
    static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry(IMPLICIT_VR_LITTLE_ENDIAN, "Implicit VR Little Endian"),
            Map.entry(EXPLICIT_VR_LITTLE_ENDIAN, "Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.2", "Explicit VR Big Endian"),
            Map.entry("1.2.840.10008.1.2.4.50", "JPEG Baseline"),
            Map.entry("1.2.840.10008.1.2.4.51", "JPEG Extended"),
            Map.entry("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical"),
            Map.entry("1.2.840.10008.1.2.4.70", "JPEG Lossless, First-Order Prediction"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless"),
            Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless Only"),
            Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000"),
            Map.entry("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Lossless Only"),
            Map.entry("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component"),
            Map.entry("1.2.840.10008.1.2.4.94", "JPIP Referenced"),
            Map.entry("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate"),
            Map.entry("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"),
            Map.entry("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level"),
            Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1"),
            Map.entry("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1"),
            Map.entry("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video"),
            Map.entry("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video"),
            Map.entry("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2"),
            Map.entry("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1"),
            Map.entry("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1"),
            Map.entry("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Lossless Only"),
            Map.entry("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Lossless Only"),
            Map.entry("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000"),
            Map.entry("1.2.840.10008.1.2.5", "RLE Lossless"));

    private TransferSyntax() {
    }

    static boolean isSupported(String uid) {
        return IMPLICIT_VR_LITTLE_ENDIAN.equals(uid) || EXPLICIT_VR_LITTLE_ENDIAN.equals(uid);
    }

    /** A readable name for {@code uid}, or "unknown". */
    static String name(String uid) {
        return NAMES.getOrDefault(uid, "unknown");
    }
}
