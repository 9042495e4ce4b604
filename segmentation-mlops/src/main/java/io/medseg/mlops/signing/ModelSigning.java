package io.medseg.mlops.signing;

import io.medseg.mlops.PackageIntegrityException;
import io.medseg.mlops.PackageManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Signs and verifies model packages in the OpenSSF model signing format: {@link SigningPayload} (what is signed),
 * {@link SignatureBundle} (the {@code model.sig} file), {@link SigningKeys} (the keys).
 *
 * <p>The signature covers every file of the package except itself and {@code validations/} (validation records
 * are evidence added after signing, tied to the MANIFEST hash as before); both are named in the signed statement,
 * so any tool of the format leaves out the same files. Signing checks the package against its MANIFEST first: only
 * an intact package is signed. Verification re-hashes the package and names the first file that differs from what
 * was signed, or what is wrong with the signature.
 */
public final class ModelSigning {
    /** The signature's file name in a package, the name the model signing tools use. */
    public static final String SIGNATURE_FILE = PackageManifest.SIGNATURE_FILE;

    private static final List<String> PACKAGE_IGNORED = List.of(SIGNATURE_FILE, PackageManifest.VALIDATIONS_DIR);

    private ModelSigning() {
    }

    /** A public key the verifier trusts, by a name for people and its fingerprint. */
    public record TrustedKey(String name, PublicKey key) {
        public TrustedKey {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(key, "key");
        }

        public String fingerprint() {
            return SigningKeys.fingerprint(key);
        }
    }

    /** A signature that held: by which key, over what. */
    public record Verified(Path signatureFile, TrustedKey key, SigningPayload payload) {
        public String fingerprint() {
            return key.fingerprint();
        }
    }

    /**
     * Signs the package in {@code packageDir} with {@code key}: writes {@code packageDir/model.sig} (replacing an
     * earlier signature).
     *
     * @return the signed payload
     * @throws PackageIntegrityException if the package does not match its MANIFEST (nothing is written)
     */
    public static SigningPayload sign(Path packageDir, SigningKeys.SigningKey key) throws IOException {
        return sign(packageDir, key, packageDir.resolve(SIGNATURE_FILE));
    }

    /**
     * Signs the package with {@code key} into {@code bundleFile}, which may lie outside the package (a second
     * signature, such as a registry's approval, kept beside the package rather than in it).
     */
    public static SigningPayload sign(Path packageDir, SigningKeys.SigningKey key, Path bundleFile)
            throws IOException {
        PackageManifest.verify(packageDir);
        SigningPayload payload = SigningPayload.of(packageDir, false, PACKAGE_IGNORED);
        SignatureBundle.sign(payload, key).write(bundleFile);
        return payload;
    }

    /** Verifies {@code packageDir/model.sig} against the package: {@link #verify(Path, Path, List)}. */
    public static Verified verify(Path packageDir, List<TrustedKey> trusted) throws IOException {
        return verify(packageDir, packageDir.resolve(SIGNATURE_FILE), trusted);
    }

    /**
     * Verifies a signature bundle over a model folder: the bundle's shape, that one of {@code trusted} made it (the
     * key its hint names, or any when it names none), the statement's consistency, and that the folder holds
     * exactly the signed files with the signed digests.
     *
     * @throws SignatureVerificationException naming the bundle, or the first model file that differs
     */
    public static Verified verify(Path modelDir, Path bundleFile, List<TrustedKey> trusted) throws IOException {
        Objects.requireNonNull(trusted, "trusted");
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("no trusted keys given: a signature is only checked against keys "
                    + "you trust");
        }
        SignatureBundle bundle = SignatureBundle.read(bundleFile);
        TrustedKey signer = signer(bundle, bundleFile, trusted);
        SigningPayload signed;
        try {
            signed = SigningPayload.parse(bundle.payload());
        } catch (IllegalArgumentException e) {
            throw new SignatureVerificationException(bundleFile, e.getMessage(), e);
        }
        SigningPayload actual;
        try {
            actual = SigningPayload.of(modelDir, signed.allowSymlinks(), signed.ignorePaths());
        } catch (UnsignableModelException e) {
            throw new SignatureVerificationException(e.file().orElse(modelDir), e.reason(), e);
        }
        List<String> diffs = signed.differences(actual);
        if (!diffs.isEmpty()) {
            String first = diffs.get(0);
            String rel = first.substring(0, first.indexOf(": "));
            StringBuilder msg = new StringBuilder(first.substring(rel.length() + 2)).append("; the signature by ")
                    .append(signer.name()).append(" (").append(shortFingerprint(signer.fingerprint()))
                    .append(") does not cover the package as it is");
            if (diffs.size() > 1) {
                msg.append(" (").append(diffs.size() - 1).append(" more: ")
                        .append(String.join("; ", diffs.subList(1, Math.min(diffs.size(), 4))))
                        .append(diffs.size() > 4 ? "; ..." : "").append(')');
            }
            throw new SignatureVerificationException(rel.equals(".") ? modelDir : modelDir.resolve(rel),
                    msg.toString());
        }
        return new Verified(bundleFile, signer, signed);
    }

    /** The first 16 hex digits of a fingerprint, for messages. */
    public static String shortFingerprint(String fingerprint) {
        return fingerprint.length() > 16 ? fingerprint.substring(0, 16) : fingerprint;
    }

    private static TrustedKey signer(SignatureBundle bundle, Path file, List<TrustedKey> trusted)
            throws SignatureVerificationException {
        String hint = bundle.keyHint();
        List<TrustedKey> candidates = new ArrayList<>();
        for (TrustedKey k : trusted) {
            if (hint.isEmpty() || k.fingerprint().equals(hint)) {
                candidates.add(k);
            }
        }
        if (candidates.isEmpty()) {
            throw new SignatureVerificationException(file, "signed by key " + shortFingerprint(hint)
                    + ", which is not trusted (trusted: " + names(trusted) + ")");
        }
        for (TrustedKey k : candidates) {
            if (bundle.verify(k.key())) {
                return k;
            }
        }
        throw new SignatureVerificationException(file, "the signature does not verify with "
                + (hint.isEmpty() ? "any trusted key (" + names(trusted) + ")" : "key " + candidates.get(0).name()
                + " (" + shortFingerprint(hint) + ") that it names") + ": the bundle was altered or made with "
                + "another key");
    }

    private static String names(List<TrustedKey> keys) {
        List<String> out = new ArrayList<>();
        for (TrustedKey k : keys) {
            out.add(k.name() + " " + shortFingerprint(k.fingerprint()));
        }
        return String.join(", ", out);
    }
}
