package io.medseg.mlops.registry;

import io.medseg.mlops.TestPackages;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate JVM for the registry tests.
 *
 * <ul>
 *   <li>{@code register REGISTRY WORKDIR COUNT TAG GATE}: writes COUNT packages of model {@code cardiac-lv}, prints
 *       {@code ready}, waits until the parent releases its lock on the GATE file, then registers them, printing
 *       {@code registered VERSION SHA256} for each.</li>
 *   <li>{@code crash REGISTRY PACKAGE STEP}: registers PACKAGE and halts the JVM, without any clean-up, when the
 *       registration reaches STEP.</li>
 * </ul>
 */
public final class RegistryWorker {
    private RegistryWorker() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "register" -> register(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), args[4],
                    Path.of(args[5]));
            case "crash" -> crash(Path.of(args[1]), Path.of(args[2]), args[3]);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void register(Path registryDir, Path work, int count, String tag, Path gate) throws Exception {
        List<Path> packages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            packages.add(TestPackages.create(work.resolve(tag + "-" + i), "cardiac-lv", tag + "-" + i));
        }
        ModelRegistry registry = ModelRegistry.open(registryDir);
        System.out.println("ready");
        System.out.flush();
        try (FileChannel channel = FileChannel.open(gate, StandardOpenOption.READ)) {
            // blocks while the parent holds its exclusive lock: all workers start registering together
            FileLock shared = channel.lock(0, Long.MAX_VALUE, true);
            shared.release();
        }
        for (Path pkg : packages) {
            ModelVersion v = registry.register(pkg);
            System.out.println("registered " + v.version() + " " + v.manifestSha256());
        }
        System.out.flush();
    }

    private static void crash(Path registryDir, Path pkg, String step) throws Exception {
        ModelRegistry registry = ModelRegistry.open(registryDir);
        registry.onCheckpoint(s -> {
            if (s.equals(step)) {
                System.out.println("halting at " + s);
                System.out.flush();
                Runtime.getRuntime().halt(3);
            }
        });
        registry.register(pkg);
        System.out.println("finished without reaching " + step);
        System.exit(1);
    }
}
