package io.medseg.examples.cli;

import java.time.Duration;
import java.util.Locale;

/** Small formatting helpers shared by the commands. */
final class Texts {
    private Texts() {
    }

    /** m:ss or h:mm:ss. */
    static String duration(Duration d) {
        long t = Math.round(d.toMillis() / 1000.0);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }

    static String dice(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    /** A sample id as a file name: anything but letters, digits, '.', '_' and '-' becomes '_'. */
    static String fileName(String id) {
        String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }
}
