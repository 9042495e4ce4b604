package io.medseg.mlops.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.OptBoolean;
import io.medseg.data.DataFormatException;
import io.medseg.io.AtomicFile;
import io.medseg.io.FileTrees;
import io.medseg.io.Json;
import io.medseg.io.TextFields;
import io.medseg.mlops.PackageIntegrityException;
import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.audit.AuditLog;
import io.medseg.mlops.signing.ModelSigning;
import io.medseg.mlops.signing.SignatureVerificationException;
import io.medseg.mlops.signing.SigningKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * A model registry kept in a plain directory (no service): numbered versions of each named model, each a verified
 * copy of a model package, with a stage ({@link Stage}) and a stage history.
 *
 * <h2>Layout</h2>
 * <pre>
 * REGISTRY/
 *   .medseg-registry.json        {"format": "medseg-registry", "formatVersion": 1}
 *   NAME/                        one folder per model name
 *     .lock                      locked while a version is added or a stage changes
 *     history.jsonl              one JSON object per line: time, name, version, from, to, user
 *     .incoming/                 packages being copied in (hidden; never listed)
 *     1/
 *       package/                 the registered copy: the package as exported, with validations/
 *       version.json             the entry, written last: a version without it is not listed
 *     2/ ...
 * </pre>
 * {@code version.json} is {@code {"format": "medseg-registry-version", "formatVersion": 1, "name", "version",
 * "stage" (staging|production|archived), "stageChanged", "registered", "registeredBy", "source",
 * "manifest_sha256"}}, times in ISO-8601 UTC.
 *
 * <h2>Safety</h2>
 * A registration verifies the package against its {@code MANIFEST}, copies it into {@code NAME/.incoming/},
 * verifies the copy, and only then, holding the model's lock, claims the next number with an exclusive
 * {@code mkdir}, renames the copy into it and writes {@code version.json} last. A registration killed at any point
 * leaves no listed version: at worst a hidden folder under {@code .incoming/}, or a numbered folder without
 * {@code version.json} whose number is then skipped; both can be deleted by hand. Version numbers are handed out
 * and stages changed under a per-name lock that is both an in-JVM lock and a {@link FileLock} on
 * {@code NAME/.lock}, so threads and separate processes never lose or duplicate a version and never race on
 * stages. Files are written to a temporary name, forced to disk and renamed into place.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Model names come from the package's {@code model.json} {@code "name"} and match
 *       {@code [a-z0-9][a-z0-9._-]{0,63}}.</li>
 *   <li>A package whose MANIFEST is byte-identical (same SHA-256) to that of an existing version of the same name is
 *       refused, naming that version: each content is registered once, so its validation records and history stay
 *       in one place.</li>
 *   <li>Promotion to {@link Stage#PRODUCTION} re-verifies the registered copy and requires that the newest
 *       validation record in its {@code validations/} whose {@code manifest_sha256} matches its MANIFEST passed
 *       (records are re-read at each call, so a gate may write them into the registered copy later). The previous
 *       production version of that name is archived first.</li>
 * </ul>
 *
 * <p>Instances are thread-safe and cheap; several may be open on the same directory.
 */
public final class ModelRegistry {
    /** The environment variable naming the default registry directory. */
    public static final String ENV_VAR = "MEDSEG_REGISTRY";

    static final String MARKER_FILE = ".medseg-registry.json";
    static final String MARKER_FORMAT = "medseg-registry";
    static final String VERSION_FORMAT = "medseg-registry-version";
    static final int FORMAT_VERSION = 1;
    static final String VERSION_FILE = "version.json";
    static final String PACKAGE_DIR = "package";
    static final String HISTORY_FILE = "history.jsonl";
    static final String LOCK_FILE = ".lock";
    static final String INCOMING_DIR = ".incoming";
    static final String APPROVALS_DIR = "approvals";
    static final String TRUST_LOCK_FILE = ".medseg-trust.lock";
    static final String MODEL_JSON = "model.json";
    static final String METRICS_JSON = "metrics.json";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern VERSION_DIR = Pattern.compile("[1-9][0-9]{0,8}");

    /** In-JVM half of the per-name lock (a FileLock is held per JVM, not per thread), keyed by name folder. */
    private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path root;
    private volatile Consumer<String> checkpoint = step -> { };

    private ModelRegistry(Path root) {
        this.root = root;
    }

    /**
     * Opens the registry in {@code dir}, creating it if it does not exist. An existing directory must be a registry
     * already or hold nothing but hidden files.
     *
     * @throws IllegalArgumentException if {@code dir} is a file, or a non-empty directory that is not a registry
     */
    public static ModelRegistry open(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new IllegalArgumentException("registry location is not a directory: " + abs);
        }
        Files.createDirectories(abs);
        Path root = abs.toRealPath();
        Path marker = root.resolve(MARKER_FILE);
        if (Files.exists(marker)) {
            Marker json = Json.read(marker, Marker.class);
            if (!MARKER_FORMAT.equals(json.format())) {
                throw new DataFormatException(marker, "not a registry marker: \"format\" is " + json.format());
            }
            if (json.formatVersion() < 1 || json.formatVersion() > FORMAT_VERSION) {
                throw new DataFormatException(marker, "unsupported registry formatVersion " + json.formatVersion()
                        + " (this library reads 1 to " + FORMAT_VERSION + ")");
            }
        } else {
            List<String> visible;
            try (Stream<Path> entries = Files.list(root)) {
                visible = entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted()
                        .limit(5).toList();
            }
            if (!visible.isEmpty()) {
                throw new IllegalArgumentException("not a model registry: " + root + " holds " + visible
                        + " but no " + MARKER_FILE + "; use a new or empty directory");
            }
            writeDurably(marker, Json.write(new Marker(MARKER_FORMAT, FORMAT_VERSION)) + "\n");
        }
        return new ModelRegistry(root);
    }

    /** {@code $MEDSEG_REGISTRY} if set (and not blank), else {@code ~/.medseg/registry}. */
    public static Path defaultLocation() {
        return defaultLocation(System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultLocation(Map<String, String> env, String userHome) {
        String configured = env.get(ENV_VAR);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip());
        }
        return Path.of(userHome, ".medseg", "registry");
    }

    /** The registry directory (absolute, links resolved). */
    public Path root() {
        return root;
    }

    // ---- registering ----

    /**
     * Registers the model package in {@code packageDir} as the next version of the model its {@code model.json}
     * names, in stage {@link Stage#STAGING}. The package (with its {@code validations/}) is copied; the original is
     * left as it is.
     *
     * @throws PackageIntegrityException if the package does not match its MANIFEST (naming the file)
     * @throws DataFormatException if {@code model.json} is missing, unreadable or has no valid name, or
     *     {@code metrics.json} is not a JSON object
     * @throws RegistryException if a version with the same MANIFEST is already registered, or the package
     *     changed while it was being copied
     */
    public ModelVersion register(Path packageDir) throws IOException {
        Objects.requireNonNull(packageDir, "packageDir");
        PackageManifest manifest = PackageManifest.verify(packageDir);
        Path source = manifest.dir();
        String name = packageName(source);
        Path metrics = source.resolve(METRICS_JSON);
        if (Files.exists(metrics)) {
            readJsonObject(metrics, "not a json object");
        }
        Path nameDir = root.resolve(name);
        Files.createDirectories(nameDir);
        // cheap early refusal; checked again under the lock
        try {
            requireNotRegistered(name, manifest.sha256(), source);
        } catch (RegistryException e) {
            audit("register", new AuditLog.Subject(name, null, manifest.sha256()), "refused",
                    Map.of("source", source.toString(), "reason", e.getMessage()));
            throw e;
        }
        ModelSigning.Verified signature = requireRegistrationSignature(name, manifest, source);
        Path incoming = Files.createDirectories(nameDir.resolve(INCOMING_DIR));
        Path work = Files.createTempDirectory(incoming, "register-");
        try {
            Path copy = work.resolve(PACKAGE_DIR);
            copyPackage(source, copy);
            PackageManifest copied;
            try {
                copied = PackageManifest.verify(copy);
            } catch (PackageIntegrityException e) {
                throw new RegistryException("package " + source + " changed while it was being registered: "
                        + e.getMessage(), e);
            }
            if (!copied.sha256().equals(manifest.sha256())) {
                throw new RegistryException("package " + source + " changed while it was being registered: "
                        + "its MANIFEST was rewritten");
            }
            checkpoint.accept("copied");
            if (signature != null) {
                // the copy is what is kept: it must hold the same signature over the same files
                ModelSigning.verify(copy, List.of(signature.key()));
            }
            String signer = signature == null ? null : signature.fingerprint();
            return withNameLock(name, () -> addVersion(name, source, copy, manifest.sha256(), signer));
        } catch (RegistryException e) {
            audit("register", new AuditLog.Subject(name, null, manifest.sha256()), "refused",
                    Map.of("source", source.toString(), "reason", e.getMessage()));
            throw e;
        } finally {
            FileTrees.deleteTree(work);
        }
    }

    /** Under the name lock: claims the next number, moves the verified copy in, writes the entry last. */
    private ModelVersion addVersion(String name, Path source, Path copy, String sha, String signer)
            throws IOException {
        requireNotRegistered(name, sha, source);
        Path nameDir = root.resolve(name);
        int version = highestVersionNumber(nameDir) + 1;
        Path versionDir;
        while (true) {
            versionDir = nameDir.resolve(Integer.toString(version));
            try {
                Files.createDirectory(versionDir);
                break;
            } catch (FileAlreadyExistsException taken) {
                version++;
            }
        }
        boolean entered = false;
        try {
            checkpoint.accept("claimed");
            Files.move(copy, versionDir.resolve(PACKAGE_DIR), StandardCopyOption.ATOMIC_MOVE);
            checkpoint.accept("moved");
            Instant now = Instant.now();
            Entry entry = new Entry(name, version, Stage.STAGING, now, now, userName(), source.toString(), sha,
                    signer, null);
            writeEntry(versionDir, entry);
            entered = true;
            appendHistory(name, now, version, null, Stage.STAGING);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("source", source.toString());
            if (signer != null) {
                details.put("signed_by_key", signer);
            }
            audit("register", new AuditLog.Subject(name, version, sha), "ok", details);
            return toModelVersion(entry);
        } finally {
            if (!entered) {
                // nothing lists a version without its entry, and the claim was made under the lock: undo it
                FileTrees.deleteTree(versionDir);
            }
        }
    }

    private void requireNotRegistered(String name, String sha, Path source) throws IOException {
        for (Entry e : entries(name)) {
            if (e.manifestSha256.equals(sha)) {
                throw new RegistryException("package " + source + " is already registered as " + name + " "
                        + e.version + " (same MANIFEST sha256 " + sha + "); each package content is registered "
                        + "once");
            }
        }
    }

    // ---- reading ----

    /** The names of the models with at least one registered version, sorted. */
    public List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (NAME.matcher(n).matches() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && !entries(n).isEmpty()) {
                    names.add(n);
                }
            }
        }
        names.sort(null);
        return names;
    }

    /** Every registered version of every model, by name, then version. */
    public List<ModelVersion> list() throws IOException {
        List<ModelVersion> all = new ArrayList<>();
        for (String name : names()) {
            all.addAll(list(name));
        }
        return all;
    }

    /** The registered versions of {@code name}, oldest first; empty if the name is unknown. */
    public List<ModelVersion> list(String name) throws IOException {
        checkName(name);
        List<ModelVersion> versions = new ArrayList<>();
        for (Entry e : entries(name)) {
            versions.add(toModelVersion(e));
        }
        return versions;
    }

    /**
     * One registered version.
     *
     * @throws IllegalArgumentException if there is no such (completely registered) version
     */
    public ModelVersion version(String name, int version) throws IOException {
        return toModelVersion(requireEntry(name, version));
    }

    /** The production version of {@code name}, if one is. */
    public Optional<ModelVersion> production(String name) throws IOException {
        checkName(name);
        for (Entry e : entries(name)) {
            if (e.stage == Stage.PRODUCTION) {
                return Optional.of(toModelVersion(e));
            }
        }
        return Optional.empty();
    }

    /**
     * The directory of the registered copy of a version's package.
     *
     * @throws IllegalArgumentException if there is no such (completely registered) version
     */
    public Path get(String name, int version) throws IOException {
        requireEntry(name, version);
        return packageDir(name, version);
    }

    /** The stage history of {@code name}, oldest first; empty if the name is unknown. */
    public List<HistoryEvent> history(String name) throws IOException {
        checkName(name);
        Path file = root.resolve(name).resolve(HISTORY_FILE);
        if (!Files.exists(file)) {
            return List.of();
        }
        String text = Json.readUtf8(file);
        String[] lines = text.split("\n", -1);
        // the last element is empty when the file ends in a newline; an unterminated last line is an append that
        // did not finish, and is skipped
        List<HistoryEvent> events = new ArrayList<>();
        for (int i = 0; i < lines.length - 1; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            try {
                events.add(Json.parse(lines[i], HistoryEvent.class));
            } catch (IllegalArgumentException e) {
                throw new DataFormatException(file, "malformed line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return events;
    }

    // ---- stages ----

    /**
     * Moves a version to {@code stage}. Promotion to {@link Stage#PRODUCTION} re-verifies the registered copy
     * against its MANIFEST, requires that the newest validation record for that MANIFEST passed, and archives the
     * previous production version of the name. Moving a version to the stage it is in changes nothing. Every change
     * is appended to the name's history.
     *
     * @return the version as it is now
     * @throws IllegalArgumentException if there is no such version
     * @throws PromotionRefusedException if promotion to production lacks a passing validation record (the message
     *     says what was found)
     * @throws PackageIntegrityException if the registered copy no longer matches its MANIFEST
     */
    public ModelVersion promote(String name, int version, Stage stage) throws IOException {
        Objects.requireNonNull(stage, "stage");
        Entry before = requireEntry(name, version);
        if (stage == Stage.PRODUCTION) {
            // hashing may take a while: done before taking the lock
            verifyRegisteredCopy(before);
        }
        return withNameLock(name, () -> {
            Entry entry = requireEntry(name, version);
            if (entry.stage == stage) {
                return toModelVersion(entry);
            }
            Instant now = Instant.now();
            if (stage == Stage.PRODUCTION) {
                String approver;
                try {
                    requirePassingValidation(entry);
                    approver = requireApproval(entry);
                } catch (PromotionRefusedException e) {
                    audit("promote", new AuditLog.Subject(name, version, entry.manifestSha256), "refused",
                            Map.of("to", stage.id(), "reason", e.getMessage()));
                    throw e;
                }
                // archive first: a crash in between leaves no production version rather than two
                for (Entry other : entries(name)) {
                    if (other.version != version && other.stage == Stage.PRODUCTION) {
                        changeStage(other, Stage.ARCHIVED, now, other.approvedByKey);
                    }
                }
                return toModelVersion(changeStage(entry, stage, now, approver));
            }
            return toModelVersion(changeStage(entry, stage, now, entry.approvedByKey));
        });
    }

    private Entry changeStage(Entry entry, Stage to, Instant now, String approver) throws IOException {
        Entry changed = new Entry(entry.name, entry.version, to, entry.registered, now, entry.registeredBy,
                entry.source, entry.manifestSha256, entry.signedByKey, approver);
        writeEntry(root.resolve(entry.name).resolve(Integer.toString(entry.version)), changed);
        appendHistory(entry.name, now, entry.version, entry.stage, to);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("from", entry.stage.id());
        details.put("to", to.id());
        if (to == Stage.PRODUCTION && approver != null) {
            details.put("signed_by_key", entry.signedByKey);
            details.put("approved_by_key", approver);
        }
        audit(to == Stage.ARCHIVED ? "archive" : "promote", new AuditLog.Subject(entry.name, entry.version,
                entry.manifestSha256), "ok", details);
        return changed;
    }

    // ---- signatures ----

    /** The registry's signing rules ({@link TrustPolicy}); none required and no keys until set. */
    public TrustPolicy trustPolicy() throws IOException {
        return TrustPolicy.read(root);
    }

    /** Trusts {@code key} under {@code keyName} for {@code roles}; recorded in the audit log. */
    public TrustPolicy trustKey(String keyName, java.security.PublicKey key, java.util.Set<TrustPolicy.Role> roles)
            throws IOException {
        return changeTrust(p -> p.with(keyName, key, roles, userName()), "trust-key", p -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("key_name", keyName);
            d.put("key_sha256", SigningKeys.fingerprint(key));
            d.put("roles", roles.stream().map(TrustPolicy.Role::id).sorted().toList());
            return d;
        });
    }

    /** Stops trusting the key with this name or fingerprint; recorded in the audit log. */
    public TrustPolicy distrustKey(String nameOrFingerprint) throws IOException {
        java.util.concurrent.atomic.AtomicReference<TrustPolicy.Key> removed = new java.util.concurrent.atomic
                .AtomicReference<>();
        return changeTrust(p -> {
            TrustPolicy.Key k = p.find(nameOrFingerprint).orElseThrow(() -> new IllegalArgumentException(
                    "no trusted key " + nameOrFingerprint + " in registry " + root + " (trusted: "
                            + p.keys().stream().map(TrustPolicy.Key::name).toList() + ")"));
            removed.set(k);
            return p.without(k);
        }, "distrust-key", p -> Map.of("key_name", removed.get().name(), "key_sha256",
                removed.get().fingerprint()));
    }

    /** Turns the signature requirement on or off; recorded in the audit log. */
    public TrustPolicy requireSignatures(boolean required) throws IOException {
        return changeTrust(p -> {
            if (required && p.trusted(TrustPolicy.Role.REGISTER).isEmpty()) {
                throw new IllegalArgumentException("no key may register yet: trust one first (segment trust add "
                        + "KEY.pub --role register|both), or no package could ever be registered");
            }
            return p.requiring(required);
        }, "require-signatures", p -> Map.of("required", required));
    }

    @FunctionalInterface
    private interface TrustChange {
        TrustPolicy apply(TrustPolicy before) throws IOException;
    }

    private TrustPolicy changeTrust(TrustChange change, String action,
            java.util.function.Function<TrustPolicy, Map<String, ?>> details) throws IOException {
        return withLock(root.resolve(TrustPolicy.FILE_NAME), TRUST_LOCK_FILE, () -> {
            TrustPolicy next = change.apply(TrustPolicy.read(root));
            writeDurably(root.resolve(TrustPolicy.FILE_NAME), Json.write(next) + "\n");
            audit(action, null, "ok", details.apply(next));
            return next;
        });
    }

    /**
     * Approves a version for production with {@code approver}'s key: signs the registered copy into
     * {@code NAME/VERSION/approvals/FINGERPRINT.sig} (beside the package, which stays as registered). The key must be
     * trusted to approve and must not be the key that signed the package (four eyes). Recorded in the audit log,
     * with the key.
     *
     * @throws PromotionRefusedException when the key may not approve this version (the message says why)
     */
    public ModelVersion approve(String name, int version, SigningKeys.SigningKey approver) throws IOException {
        Objects.requireNonNull(approver, "approver");
        Entry entry = requireEntry(name, version);
        AuditLog.Subject subject = new AuditLog.Subject(name, version, entry.manifestSha256);
        String fp = approver.fingerprint();
        AuditLog.Actor actor = AuditLog.Actor.osUser().withKey(fp);
        TrustPolicy policy = trustPolicy();
        String refusal = null;
        Optional<TrustPolicy.Key> known = policy.find(fp);
        if (known.isEmpty() || !known.get().may(TrustPolicy.Role.APPROVE)) {
            refusal = "key " + ModelSigning.shortFingerprint(fp) + (known.isEmpty() ? " is not trusted by registry "
                    + root : " (" + known.get().name() + ") is not trusted to approve") + " (segment trust add "
                    + "KEY.pub --role approve)";
        } else if (fp.equals(entry.signedByKey)) {
            refusal = "four eyes: " + known.get().name() + "'s key signed " + name + " " + version + " for "
                    + "registration, so it cannot approve it too; a second person's approve key is needed";
        } else if (entry.signedByKey == null) {
            refusal = name + " " + version + " was registered without a signature: sign the package and register "
                    + "it again before it can be approved";
        }
        if (refusal != null) {
            auditLog().append(actor, "approve", subject, "refused", Map.of("reason", refusal));
            throw new PromotionRefusedException(refusal);
        }
        verifyRegisteredCopy(entry);
        Path versionDir = root.resolve(name).resolve(Integer.toString(version));
        Path bundle = versionDir.resolve(APPROVALS_DIR).resolve(fp + ".sig");
        ModelSigning.sign(packageDir(name, version), approver, bundle);
        auditLog().append(actor, "approve", subject, "ok", Map.of("key_name", known.get().name(),
                "signed_by_key", entry.signedByKey, "bundle", root.relativize(bundle).toString()));
        return toModelVersion(requireEntry(name, version));
    }

    /**
     * Records that {@code record} was written for a registered version by {@code segment validate}: an audit event
     * with the record's file and SHA-256 and its verdict. A package outside any registry records nothing.
     *
     * @return whether the package is a registered copy of this registry
     */
    public static boolean recordValidation(Path packageDir, ValidationRecord record) throws IOException {
        Optional<Located> where = locate(packageDir);
        if (where.isEmpty()) {
            return false;
        }
        Located l = where.get();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("record", l.registry().root().relativize(record.file().toAbsolutePath()).toString());
        details.put("record_sha256", io.medseg.mlops.Hashing.sha256(record.file()));
        details.put("failed", record.failedRequirements());
        l.registry().audit("validate", new AuditLog.Subject(l.name(), l.version(), record.manifestSha256()),
                record.passed() ? "passed" : "failed", details);
        return true;
    }

    /** A registered copy's registry, name and version. */
    public record Located(ModelRegistry registry, String name, int version) {
    }

    /**
     * The registry, name and version whose registered copy {@code packageDir} is ({@code REGISTRY/NAME/VERSION/
     * package}), if it is one.
     */
    public static Optional<Located> locate(Path packageDir) throws IOException {
        Path pkg = packageDir.toAbsolutePath().normalize();
        if (Files.exists(pkg)) {
            pkg = pkg.toRealPath();
        }
        Path versionDir = pkg.getParent();
        Path nameDir = versionDir == null ? null : versionDir.getParent();
        Path reg = nameDir == null ? null : nameDir.getParent();
        if (reg == null || !pkg.getFileName().toString().equals(PACKAGE_DIR)
                || !VERSION_DIR.matcher(versionDir.getFileName().toString()).matches()
                || !NAME.matcher(nameDir.getFileName().toString()).matches()
                || !Files.isRegularFile(reg.resolve(MARKER_FILE))) {
            return Optional.empty();
        }
        return Optional.of(new Located(open(reg), nameDir.getFileName().toString(),
                Integer.parseInt(versionDir.getFileName().toString())));
    }

    /** With signatures required: the trusted signature the package must carry; null when none is required. */
    private ModelSigning.Verified requireRegistrationSignature(String name, PackageManifest manifest, Path source)
            throws IOException {
        TrustPolicy policy = trustPolicy();
        if (!policy.requireSignatures()) {
            return null;
        }
        try {
            return ModelSigning.verify(source, policy.trusted(TrustPolicy.Role.REGISTER));
        } catch (SignatureVerificationException | IllegalArgumentException e) {
            audit("register", new AuditLog.Subject(name, null, manifest.sha256()), "refused",
                    Map.of("source", source.toString(), "reason", "signature: " + e.getMessage()));
            if (e instanceof SignatureVerificationException sve) {
                throw sve;
            }
            throw new RegistryException("registry " + root + " requires signed packages but trusts no key that "
                    + "may register", e);
        }
    }

    /**
     * With signatures required: re-verifies the registrant's signature and finds an approval by another trusted
     * approve key; returns that key's fingerprint (null when signatures are not required).
     */
    private String requireApproval(Entry entry) throws IOException {
        TrustPolicy policy = trustPolicy();
        if (!policy.requireSignatures()) {
            return null;
        }
        String what = entry.name + " " + entry.version;
        Path pkg = packageDir(entry.name, entry.version);
        if (entry.signedByKey == null) {
            throw new PromotionRefusedException(what + " was registered without a signature, and this registry "
                    + "requires signatures: sign the package and register it again");
        }
        try {
            ModelSigning.Verified registrant = ModelSigning.verify(pkg, policy.trusted(TrustPolicy.Role.REGISTER));
            if (!registrant.fingerprint().equals(entry.signedByKey)) {
                throw new PromotionRefusedException(what + ": its model.sig is no longer the signature it was "
                        + "registered with (key " + ModelSigning.shortFingerprint(registrant.fingerprint()) + ", "
                        + "registered by " + ModelSigning.shortFingerprint(entry.signedByKey) + ")");
            }
        } catch (SignatureVerificationException | IllegalArgumentException e) {
            throw new PromotionRefusedException(what + ": the registrant's signature no longer holds: "
                    + e.getMessage());
        }
        Path approvals = root.resolve(entry.name).resolve(Integer.toString(entry.version)).resolve(APPROVALS_DIR);
        List<ModelSigning.TrustedKey> approvers = new ArrayList<>();
        for (ModelSigning.TrustedKey k : policy.trusted(TrustPolicy.Role.APPROVE)) {
            if (!k.fingerprint().equals(entry.signedByKey)) {
                approvers.add(k);
            }
        }
        List<String> problems = new ArrayList<>();
        if (Files.isDirectory(approvals) && !approvers.isEmpty()) {
            try (Stream<Path> files = Files.list(approvals)) {
                for (Path bundle : files.filter(f -> f.getFileName().toString().endsWith(".sig")).sorted().toList()) {
                    try {
                        return ModelSigning.verify(pkg, bundle, approvers).fingerprint();
                    } catch (SignatureVerificationException e) {
                        problems.add(e.getMessage());
                    }
                }
            }
        }
        throw new PromotionRefusedException("four eyes: production needs an approval of " + what + " signed by a "
                + "trusted approve key other than the registrant's (" + ModelSigning.shortFingerprint(
                entry.signedByKey) + "): segment promote " + entry.name + " " + entry.version + " production --key "
                + "APPROVER.key" + (problems.isEmpty() ? "" : " (approvals found but not valid: "
                + String.join("; ", problems) + ")"));
    }

    /** The registry's audit trail ({@link AuditLog}: hash-chained, one line per event). */
    public AuditLog auditLog() {
        return AuditLog.of(root);
    }

    private void audit(String action, AuditLog.Subject subject, String outcome, Map<String, ?> details)
            throws IOException {
        auditLog().append(AuditLog.Actor.osUser(), action, subject, outcome, details);
    }

    private void verifyRegisteredCopy(Entry entry) throws IOException {
        Path pkg = packageDir(entry.name, entry.version);
        PackageManifest manifest = PackageManifest.verify(pkg);
        if (!manifest.sha256().equals(entry.manifestSha256)) {
            throw new PackageIntegrityException(pkg.resolve(PackageManifest.FILE_NAME), "rewritten after "
                    + entry.name + " " + entry.version + " was registered: sha256 is " + manifest.sha256()
                    + ", the registry recorded " + entry.manifestSha256);
        }
    }

    private void requirePassingValidation(Entry entry) throws IOException {
        Path pkg = packageDir(entry.name, entry.version);
        PackageValidations validations = PackageValidations.read(pkg);
        Optional<ValidationRecord> latest = validations.latest(entry.manifestSha256);
        String what = entry.name + " " + entry.version;
        if (latest.isEmpty()) {
            StringBuilder msg = new StringBuilder(what + " has no passing validation record: run segment validate "
                    + "first");
            int others = validations.records().size();
            if (others > 0) {
                msg.append(" (").append(others).append(others == 1 ? " record" : " records").append(" in ")
                        .append(pkg.resolve(PackageManifest.VALIDATIONS_DIR)).append(others == 1 ? " is" : " are")
                        .append(" for another package: manifest_sha256 differs from this package's ")
                        .append(entry.manifestSha256).append(')');
            }
            if (!validations.unreadable().isEmpty()) {
                msg.append(" (not usable: ");
                boolean first = true;
                for (Map.Entry<Path, String> u : validations.unreadable().entrySet()) {
                    msg.append(first ? "" : "; ").append(u.getKey().getFileName()).append(": ").append(u.getValue());
                    first = false;
                }
                msg.append(')');
            }
            throw new PromotionRefusedException(msg.toString());
        }
        ValidationRecord record = latest.get();
        if (!record.passed()) {
            List<String> failed = record.failedRequirements();
            throw new PromotionRefusedException(what + " did not pass validation: its latest validation record "
                    + record.file().getFileName() + " (created " + record.created() + ") failed"
                    + (failed.isEmpty() ? "" : " on " + String.join(", ", failed))
                    + "; only a version whose latest record passed can go to production");
        }
    }

    // ---- entries ----

    /** The registry's {@code .medseg-registry.json}. */
    private record Marker(String format, int formatVersion) {
    }

    /** A version's {@code version.json}. */
    @JsonPropertyOrder({"format", "formatVersion", "name", "version", "stage", "stageChanged", "registered",
            "registeredBy", "source", "manifest_sha256", "signed_by_key", "approved_by_key"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private record Entry(String format, int formatVersion, String name, int version, Stage stage,
            Instant registered, Instant stageChanged, String registeredBy, String source,
            @JsonProperty("manifest_sha256") String manifestSha256,
            @JsonProperty(value = "signed_by_key", isRequired = OptBoolean.FALSE) String signedByKey,
            @JsonProperty(value = "approved_by_key", isRequired = OptBoolean.FALSE) String approvedByKey) {
        Entry {
            if (!VERSION_FORMAT.equals(format)) {
                throw new IllegalArgumentException("\"format\" is " + format + ", expected \"" + VERSION_FORMAT
                        + "\"");
            }
            if (formatVersion < 1 || formatVersion > FORMAT_VERSION) {
                throw new IllegalArgumentException("unsupported formatVersion " + formatVersion);
            }
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(registered, "registered");
            Objects.requireNonNull(stageChanged, "stageChanged");
            Objects.requireNonNull(manifestSha256, "manifest_sha256");
        }

        Entry(String name, int version, Stage stage, Instant registered, Instant stageChanged, String registeredBy,
                String source, String manifestSha256, String signedByKey, String approvedByKey) {
            this(VERSION_FORMAT, FORMAT_VERSION, name, version, stage, registered, stageChanged, registeredBy,
                    source, manifestSha256, signedByKey, approvedByKey);
        }
    }

    private ModelVersion toModelVersion(Entry e) throws IOException {
        Path pkg = packageDir(e.name, e.version);
        Path metricsFile = pkg.resolve(METRICS_JSON);
        JsonNode metrics = Files.exists(metricsFile) ? readJsonObject(metricsFile, "not a json object")
                : Json.mapper().createObjectNode();
        Optional<ValidationRecord> latest = PackageValidations.read(pkg).latest(e.manifestSha256);
        return new ModelVersion(e.name, e.version, e.stage, e.registered, e.registeredBy, e.source,
                e.manifestSha256, e.stageChanged, pkg, metrics, latest, Optional.ofNullable(e.signedByKey),
                Optional.ofNullable(e.approvedByKey));
    }

    private Path packageDir(String name, int version) {
        return root.resolve(name).resolve(Integer.toString(version)).resolve(PACKAGE_DIR);
    }

    private Entry requireEntry(String name, int version) throws IOException {
        checkName(name);
        if (version < 1) {
            throw new IllegalArgumentException("version must be 1 or more: " + version);
        }
        Optional<Entry> entry = readEntry(name, root.resolve(name).resolve(Integer.toString(version)));
        if (entry.isEmpty()) {
            List<Integer> known = entries(name).stream().map(Entry::version).toList();
            throw new IllegalArgumentException("no version " + version + " of model " + name + " in registry "
                    + root + (known.isEmpty() ? " (no versions)" : " (versions: " + known + ")"));
        }
        return entry.get();
    }

    /** The complete versions of {@code name}, by number. */
    private List<Entry> entries(String name) throws IOException {
        Path nameDir = root.resolve(name);
        List<Entry> entries = new ArrayList<>();
        for (int n : versionNumbers(nameDir)) {
            readEntry(name, nameDir.resolve(Integer.toString(n))).ifPresent(entries::add);
        }
        return entries;
    }

    /** Every numbered folder, complete or not, ascending. */
    private static List<Integer> versionNumbers(Path nameDir) throws IOException {
        List<Integer> numbers = new ArrayList<>();
        if (!Files.isDirectory(nameDir)) {
            return numbers;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(nameDir)) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (VERSION_DIR.matcher(n).matches() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    numbers.add(Integer.parseInt(n));
                }
            }
        }
        numbers.sort(Comparator.naturalOrder());
        return numbers;
    }

    private static int highestVersionNumber(Path nameDir) throws IOException {
        List<Integer> numbers = versionNumbers(nameDir);
        return numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1);
    }

    private static Optional<Entry> readEntry(String name, Path versionDir) throws IOException {
        Path file = versionDir.resolve(VERSION_FILE);
        String text;
        try {
            text = Json.readUtf8(file);
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
        Entry e;
        try {
            e = Json.parse(text, Entry.class);
        } catch (IllegalArgumentException bad) {
            throw new DataFormatException(file, "malformed registry entry: " + bad.getMessage(), bad);
        }
        if (!e.name.equals(name) || !Integer.toString(e.version).equals(versionDir.getFileName().toString())) {
            throw new DataFormatException(file, "malformed registry entry: entry says " + TextFields.excerpt(e.name) + " " + e.version
                    + " but lies in " + name + "/" + versionDir.getFileName());
        }
        return Optional.of(e);
    }

    private static void writeEntry(Path versionDir, Entry e) throws IOException {
        writeDurably(versionDir.resolve(VERSION_FILE), Json.write(e) + "\n");
    }

    private void appendHistory(String name, Instant time, int version, Stage from, Stage to) throws IOException {
        Path file = root.resolve(name).resolve(HISTORY_FILE);
        String line = Json.writeCompact(new HistoryEvent(time, name, version, from, to, userName())) + "\n";
        if (Files.exists(file) && Files.size(file) > 0) {
            byte[] existing = Files.readAllBytes(file);
            if (existing[existing.length - 1] != '\n') {
                // an earlier append was cut short (its event never completed): drop the partial line
                int keep = existing.length - 1;
                while (keep > 0 && existing[keep - 1] != '\n') {
                    keep--;
                }
                try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    out.truncate(keep);
                }
            }
        }
        ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
    }

    // ---- locking ----

    @FunctionalInterface
    private interface LockedAction<T> {
        T run() throws IOException;
    }

    private <T> T withNameLock(String name, LockedAction<T> action) throws IOException {
        Path nameDir = root.resolve(name);
        Files.createDirectories(nameDir);
        return withLock(nameDir, nameDir.resolve(LOCK_FILE).getFileName().toString(), action);
    }

    /** Holds the in-JVM lock keyed by {@code key} and a {@link FileLock} on {@code lockFile} beside it. */
    private <T> T withLock(Path key, String lockFile, LockedAction<T> action) throws IOException {
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        if (jvmLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("the registry lock for " + key.getFileName() + " is already held by "
                    + "this thread");
        }
        Path lockPath = Files.isDirectory(key) ? key.resolve(lockFile) : key.resolveSibling(lockFile);
        jvmLock.lock();
        try (FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock fileLock = channel.lock();
            try {
                return action.run();
            } finally {
                fileLock.release();
            }
        } finally {
            jvmLock.unlock();
        }
    }

    // ---- files ----

    private static String packageName(Path pkg) throws IOException {
        Path json = pkg.resolve(MODEL_JSON);
        if (!Files.isRegularFile(json, LinkOption.NOFOLLOW_LINKS)) {
            throw new DataFormatException(json, "missing: a model package names its model in " + MODEL_JSON);
        }
        JsonNode name = readJsonObject(json, "not a json object").get("name");
        if (name == null || !name.isString()) {
            throw new DataFormatException(json, name == null || name.isNull() ? "has no \"name\" (the model name)"
                    : "\"name\" must be a string, got " + name);
        }
        String s = name.asString();
        if (!NAME.matcher(s).matches()) {
            throw new DataFormatException(json, "model name \"" + s + "\" is not valid: use 1 to 64 characters "
                    + "a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
        }
        return s;
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid model name \"" + name + "\": use 1 to 64 characters a-z, "
                    + "0-9, '.', '_' or '-', starting with a letter or digit");
        }
    }

    private static JsonNode readJsonObject(Path file, String what) throws IOException {
        String text = Json.readUtf8(file);
        JsonNode node;
        try {
            node = Json.tree(text);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, what + ": " + e.getMessage(), e);
        }
        if (!node.isObject()) {
            throw new DataFormatException(file, what + ": found " + node.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return node;
    }

    private static String userName() {
        return System.getProperty("user.name", "unknown");
    }

    /** Writes {@code text} to a hidden temporary file, forces it to disk, then renames it onto {@code target}. */
    private static void writeDurably(Path target, String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        Path tmp = AtomicFile.siblingTemp(target);
        boolean moved = false;
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            AtomicFile.moveInto(tmp, target);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Copies a package: regular files and folders only (a symbolic link or special file is refused), hidden entries
     * under {@code validations/} (records still being written) left out, each file forced to disk.
     */
    private static void copyPackage(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path rel = source.relativize(dir);
                if (hiddenUnderValidations(rel)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectory(target.resolve(rel));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path rel = source.relativize(file);
                if (hiddenUnderValidations(rel)) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink() || !attrs.isRegularFile()) {
                    throw new DataFormatException(file, (attrs.isSymbolicLink() ? "symbolic link" : "not a regular "
                            + "file") + ": a model package must hold regular files only");
                }
                Path dest = target.resolve(rel);
                Files.copy(file, dest);
                try (FileChannel out = FileChannel.open(dest, StandardOpenOption.WRITE)) {
                    out.force(true);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                throw e;
            }
        });
    }

    private static boolean hiddenUnderValidations(Path rel) {
        return rel.getNameCount() > 1 && rel.getName(0).toString().equals(PackageManifest.VALIDATIONS_DIR)
                && rel.getFileName().toString().startsWith(".");
    }

    /** Lets tests stop a registration at a named step ({@code copied}, {@code claimed}, {@code moved}). */
    void onCheckpoint(Consumer<String> hook) {
        this.checkpoint = Objects.requireNonNull(hook, "hook");
    }
}
