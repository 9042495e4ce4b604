package io.medseg.testdata;

import static org.junit.jupiter.api.Assertions.fail;

import io.medseg.data.sunnybrook.SunnybrookDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the real-data tests find the Sunnybrook subset: system property {@code medseg.sunnybrook.dir} (Surefire
 * sets it), else {@code <repo>/../shared/data/sunnybrook}. When the folder is missing the test fails if
 * {@code medseg.sunnybrook.required} is {@code true}, and is skipped otherwise.
 */
public final class SunnybrookTestData {
    public static final String DIR_PROPERTY = "medseg.sunnybrook.dir";
    public static final String REQUIRED_PROPERTY = "medseg.sunnybrook.required";

    private SunnybrookTestData() {
    }

    /** The Sunnybrook folder; fails or skips the calling test when it is absent. */
    public static Path dir() {
        Path dir = candidate();
        if (SunnybrookDataset.looksLikeSunnybrook(dir)) {
            return dir;
        }
        String message = "sunnybrook data not found at " + dir + " (set -D" + DIR_PROPERTY
                + "=<folder with dicoms/, contourfiles/, link.csv>)";
        if (Boolean.parseBoolean(System.getProperty(REQUIRED_PROPERTY, "false"))) {
            fail(message + "; required because -D" + REQUIRED_PROPERTY + "=true");
        }
        Assumptions.assumeTrue(false, message + "; skipping");
        throw new AssertionError("unreachable");
    }

    private static Path candidate() {
        String prop = System.getProperty(DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        // Outside Maven: find the repository root (the folder holding segmentation-core) from the working folder.
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("segmentation-core")) && p.getParent() != null) {
                return p.getParent().resolve("shared/data/sunnybrook").normalize();
            }
        }
        return here.resolveSibling("shared/data/sunnybrook").normalize();
    }
}
