package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashingTest {

    @Test
    void knownDigests() {
        assertThat(Hashing.sha256(new byte[0]))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(Hashing.sha256("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void fileDigestEqualsDigestOfItsBytesAcrossBufferBoundaries(@TempDir Path tmp) throws Exception {
        byte[] bytes = new byte[(1 << 16) * 3 + 17];
        new SplittableRandom(3).nextBytes(bytes);
        Path file = tmp.resolve("weights.bin");
        Files.write(file, bytes);
        assertThat(Hashing.sha256(file)).isEqualTo(Hashing.sha256(bytes));
        Files.write(file, new byte[0]);
        assertThat(Hashing.sha256(file)).isEqualTo(Hashing.sha256(new byte[0]));
    }

    @Test
    void recognisesLowerCaseHexOnly() {
        String h = Hashing.sha256(new byte[] {1});
        assertThat(Hashing.isSha256Hex(h)).isTrue();
        assertThat(Hashing.isSha256Hex(h.toUpperCase(Locale.ROOT))).isFalse();
        assertThat(Hashing.isSha256Hex(h.substring(1))).isFalse();
        assertThat(Hashing.isSha256Hex(null)).isFalse();
    }
}
