package io.medseg.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** What the build recorded about this library. */
public final class BuildInfo {
    private BuildInfo() {
    }

    /** This library's version, from the build ({@code "unknown"} when run from unpackaged sources). */
    public static String version() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/io/medseg/medseg-build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
