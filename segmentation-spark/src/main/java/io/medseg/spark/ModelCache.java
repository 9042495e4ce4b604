package io.medseg.spark;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.io.FileTrees;
import io.medseg.mlops.Hashing;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.PackageManifest;
import io.medseg.postprocess.PostProcessing;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of this JVM, one per package content: keyed by the SHA-256 of the package's MANIFEST, filled on first
 * use, shared by every task that runs in the JVM, closed when the JVM shuts down. A Spark executor therefore loads a
 * model once, however many tasks and partitions it runs ({@link #loads()} counts the loads), where a model held by
 * the task's closure would be loaded once per deserialised task.
 *
 * <p>A package is named by a local path, {@code sparkfiles:NAME} (a package folder shipped with
 * {@code SparkContext.addFile(dir, true)}), or a Hadoop file system URI ({@code hdfs://...}, {@code s3a://...}),
 * which is copied into a local temporary folder first. Either way the package is verified against its MANIFEST
 * before the backend reads it.
 */
public final class ModelCache {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
    private static final Map<String, Loaded> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static volatile boolean hookAdded;

    private ModelCache() {
    }

    /** A loaded package: its model and segmenter, and what the output rows say about it. */
    public record Loaded(String name, String version, String manifestSha256, SegmentationModel model,
            Segmenter segmenter) {
    }

    /** How many models this JVM has loaded since it started. */
    public static int loads() {
        return LOADS.get();
    }

    /**
     * The model of the package {@code location}, loaded on first use in this JVM with backend {@code backendName}
     * (null: the highest-ranked on the classpath) and the given inference settings.
     *
     * @throws IOException naming the package when it cannot be read, fails its MANIFEST check, or does not load
     */
    public static Loaded get(String location, String backendName, PostProcessing post, TestTimeAugmentation tta)
            throws IOException {
        Source source = resolve(location);
        String key = source.manifestSha256() + "|" + backendName + "|" + post + "|" + tta;
        Loaded found = MODELS.get(key);
        if (found != null) {
            return found;
        }
        synchronized (ModelCache.class) {
            found = MODELS.get(key);
            if (found != null) {
                return found;
            }
            Loaded loaded = load(source, backendName, post, tta);
            MODELS.put(key, loaded);
            addShutdownHook();
            return loaded;
        }
    }

    private static Loaded load(Source source, String backendName, PostProcessing post, TestTimeAugmentation tta)
            throws IOException {
        Path dir = source.local() != null ? source.local() : copyToLocal(source.uri());
        ExecutorThreads.configure();
        ModelPackage pkg = ModelPackage.open(dir);
        if (!pkg.manifestSha256().equals(source.manifestSha256())) {
            throw new IOException(source.uri() + ": the package changed while it was being loaded (MANIFEST sha256 "
                    + source.manifestSha256() + ", then " + pkg.manifestSha256() + ")");
        }
        Backend backend = backendName == null ? Backends.load() : Backends.load(backendName);
        SegmentationModel model = backend.load(pkg.dir());
        int n = LOADS.incrementAndGet();
        LOG.info("loaded model {} (MANIFEST sha256 {}) with {}: load {} in this JVM", pkg.name(),
                pkg.manifestSha256(), backend.description(), n);
        return new Loaded(pkg.name(), version(pkg.dir()), pkg.manifestSha256(), model,
                new Segmenter(model, post, tta));
    }

    /** The registry version when the package is a registry's copy ({@code REGISTRY/NAME/VERSION/package}). */
    static String version(Path dir) {
        Path parent = dir.toAbsolutePath().normalize().getParent();
        if (dir.getFileName() != null && dir.getFileName().toString().equals("package") && parent != null
                && parent.getFileName() != null && parent.getFileName().toString().matches("[0-9]{1,9}")) {
            return parent.getFileName().toString();
        }
        return null;
    }

    /** Where a package is, and the hash of its MANIFEST, read without loading anything. */
    private record Source(URI uri, Path local, String manifestSha256) {
    }

    private static Source resolve(String location) throws IOException {
        if (location.startsWith("sparkfiles:")) {
            Path dir = Path.of(SparkFiles.get(location.substring("sparkfiles:".length())));
            return new Source(dir.toUri(), dir, PackageManifest.sha256(dir));
        }
        URI uri = location.contains("://") ? URI.create(location) : null;
        if (uri == null || "file".equals(uri.getScheme())) {
            Path dir = uri == null ? Path.of(location) : Path.of(uri);
            return new Source(dir.toUri(), dir, PackageManifest.sha256(dir));
        }
        FileSystem fs = FileSystem.get(uri, new Configuration());
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(uri.toString() + "/"
                + PackageManifest.FILE_NAME))) {
            return new Source(uri, null, Hashing.sha256(in.readAllBytes()));
        }
    }

    private static Path copyToLocal(URI uri) throws IOException {
        Path tmp = Files.createTempDirectory("medseg-package-");
        FileSystem fs = FileSystem.get(uri, new Configuration());
        Path dir = tmp.resolve("package");
        fs.copyToLocalFile(false, new org.apache.hadoop.fs.Path(uri), new org.apache.hadoop.fs.Path(dir.toUri()),
                true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                FileTrees.deleteTree(tmp);
            } catch (IOException e) {
                LOG.warn("could not delete the local copy {} of {}: {}", tmp, uri, e.toString());
            }
        }));
        return dir;
    }

    private static void addShutdownHook() {
        if (!hookAdded) {
            hookAdded = true;
            Runtime.getRuntime().addShutdownHook(new Thread(ModelCache::closeAll, "medseg-model-cache-close"));
        }
    }

    /** Closes every cached model (the JVM's shutdown does this). */
    static synchronized void closeAll() {
        for (Loaded l : MODELS.values()) {
            try {
                l.model().close();
            } catch (RuntimeException e) {
                LOG.warn("closing model {} failed: {}", l.name(), e.toString());
            }
        }
        MODELS.clear();
    }
}
