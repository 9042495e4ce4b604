package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import io.medseg.data.ReadLimits;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zipped packages are unpacked entry by entry, each name checked before it is resolved, within a size budget. */
class PackageZipTest {
    @TempDir
    Path tmp;

    private Path zip(Map<String, byte[]> entries) throws IOException {
        Path zip = tmp.resolve("pkg.zip");
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return zip;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void unpacksFilesAndFolders() throws IOException {
        Path zip = zip(Map.of("model.json", text("{}"), "variables/", new byte[0], "variables/v.bin", text("x")));

        Path dir = ModelPackage.unzip(zip, tmp.resolve("out"));

        assertThat(dir.resolve("model.json")).hasContent("{}");
        assertThat(dir.resolve("variables/v.bin")).hasContent("x");
    }

    @Test
    void refusesNamesThatLeaveThePackageOrCannotBeFiles() throws IOException {
        for (Map.Entry<String, String> bad : Map.of(
                "../outside.json", "'../outside.json' is not a normalised relative path",
                "/etc/passwd", "'/etc/passwd' is absolute",
                "a/../../b", "'a/../../b' is not a normalised relative path",
                "model\0.json", "'model\\x00.json' contains the control character \\x00 at position 5").entrySet()) {
            Path zip = zip(Map.of(bad.getKey(), text("{}")));
            Path out = tmp.resolve("out-" + Integer.toHexString(bad.getKey().hashCode()));

            assertThatThrownBy(() -> ModelPackage.unzip(zip, out)).isInstanceOf(DataFormatException.class)
                    .hasMessage(zip + ": zip entry " + bad.getValue());
            assertThat(tmp.resolve("outside.json")).doesNotExist();
        }
    }

    @Test
    void refusesAnEntryListedTwice() throws IOException {
        Path zip = tmp.resolve("twice.zip");
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(os)) {
            // ZipOutputStream refuses duplicates, so the second entry differs by a trailing slash: a folder and a
            // file of one name
            out.putNextEntry(new ZipEntry("model.json/"));
            out.closeEntry();
            out.putNextEntry(new ZipEntry("model.json"));
            out.write(text("{}"));
            out.closeEntry();
        }

        assertThatThrownBy(() -> ModelPackage.unzip(zip, tmp.resolve("out"))).isInstanceOf(DataFormatException.class)
                .hasMessage(zip + ": zip entry 'model.json' appears twice");
    }

    @Test
    void refusesAZipThatUnpacksPastTheLimit() throws IOException {
        Path zip = zip(Map.of("big.bin", new byte[1 << 20]));
        String property = ReadLimits.PROPERTY_PREFIX + "maxDecompressedBytes";
        System.setProperty(property, "100000");
        try {
            assertThatThrownBy(() -> ModelPackage.unzip(zip, tmp.resolve("out")))
                    .isInstanceOf(DataFormatException.class)
                    .hasMessage(zip + ": unpacks to more than 100000 bytes (raise the limit with -D" + property + ")");
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void refusesBytesThatAreNotAZip() throws IOException {
        Path notZip = Files.write(tmp.resolve("pkg.zip"), new byte[] {'P', 'K', 3, 4, 0, 0});

        assertThatThrownBy(() -> ModelPackage.unzip(notZip, tmp.resolve("out")))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(notZip + ": not a zip file, or one without entries");
    }
}
