package io.medseg.mlops.signing;

import io.medseg.data.DataFormatException;
import io.medseg.data.ReadLimits;
import io.medseg.io.AtomicFile;
import io.medseg.mlops.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Elliptic-curve signing keys in PEM files: {@code NAME.key} (PKCS#8, {@code -----BEGIN PRIVATE KEY-----}, readable
 * by its owner only) and {@code NAME.pub} (SubjectPublicKeyInfo, {@code -----BEGIN PUBLIC KEY-----}), the files
 * {@code openssl genpkey} and Python's {@code cryptography} read and write.
 *
 * <p>New keys are ECDSA on NIST P-256; keys on P-384 and P-521 are read too (signed with SHA-384 and SHA-512), as the
 * OpenSSF model signing format allows. A key's <em>fingerprint</em> is the SHA-256, in hex, of its public key as PEM
 * (64-character lines, each ending in a newline): the {@code verificationMaterial.publicKey.hint} of a model signing
 * bundle, and what the registry and its audit log name keys by.
 */
public final class SigningKeys {
    /** Suffix of a private key file. */
    public static final String PRIVATE_SUFFIX = ".key";
    /** Suffix of a public key file. */
    public static final String PUBLIC_SUFFIX = ".pub";

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");

    private SigningKeys() {
    }

    /** A new ECDSA key pair on NIST P-256. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this java platform cannot make P-256 keys: " + e.getMessage(), e);
        }
    }

    /**
     * Generates a key pair and writes {@code base.key} and {@code base.pub} ({@code base} is a path without the
     * suffixes). Neither file may exist already: a key is never overwritten. The private key file is made readable
     * by its owner only where the file system has POSIX permissions.
     *
     * @return the public key
     * @throws FileAlreadyExistsException naming the file that exists
     */
    public static PublicKey generateFiles(Path base) throws IOException {
        Path key = privateFile(base);
        Path pub = publicFile(base);
        for (Path p : new Path[] {key, pub}) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(p.toString(), null, "a key is never overwritten");
            }
        }
        KeyPair pair = generate();
        AtomicFile.write(key, out -> out.write(pem("PRIVATE KEY", pair.getPrivate().getEncoded())));
        restrictToOwner(key);
        AtomicFile.writeString(pub, publicPem(pair.getPublic()));
        return pair.getPublic();
    }

    /** {@code base.key}. */
    public static Path privateFile(Path base) {
        return base.resolveSibling(base.getFileName() + PRIVATE_SUFFIX);
    }

    /** {@code base.pub}. */
    public static Path publicFile(Path base) {
        return base.resolveSibling(base.getFileName() + PUBLIC_SUFFIX);
    }

    /** The public key as PEM, in the exact form its fingerprint is taken over. */
    public static String publicPem(PublicKey key) {
        return new String(pem("PUBLIC KEY", checked(key).getEncoded()), StandardCharsets.US_ASCII);
    }

    /** The key's fingerprint: the SHA-256 of {@link #publicPem}, lower-case hex. */
    public static String fingerprint(PublicKey key) {
        return Hashing.sha256(publicPem(key).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Reads a private key and the public key beside it ({@code NAME.key} and {@code NAME.pub}), and checks that they
     * are one pair (a signature by the one verifies with the other).
     *
     * @throws java.nio.file.NoSuchFileException naming {@code NAME.pub} when it is missing
     * @throws DataFormatException naming a file that is not such a key, or the pair when the halves differ
     */
    public static SigningKey readPair(Path privateKeyFile) throws IOException {
        String name = privateKeyFile.getFileName().toString();
        String base = name.endsWith(PRIVATE_SUFFIX) ? name.substring(0, name.length() - PRIVATE_SUFFIX.length()) : name;
        return readPair(privateKeyFile, privateKeyFile.resolveSibling(base + PUBLIC_SUFFIX));
    }

    /** {@link #readPair(Path)} with the public key file named. */
    public static SigningKey readPair(Path privateKeyFile, Path publicKeyFile) throws IOException {
        PrivateKey priv = readPrivate(privateKeyFile);
        if (!Files.exists(publicKeyFile)) {
            throw new java.nio.file.NoSuchFileException(publicKeyFile.toString(), null, "the public key of "
                    + privateKeyFile.getFileName() + " is needed beside it (a signature names its key by the public "
                    + "key's fingerprint); make it with: openssl pkey -in " + privateKeyFile.getFileName()
                    + " -pubout -out " + publicKeyFile.getFileName());
        }
        PublicKey pub = readPublic(publicKeyFile);
        byte[] probe = "medseg key pair check".getBytes(StandardCharsets.US_ASCII);
        try {
            java.security.Signature s = java.security.Signature.getInstance(signatureAlgorithm(priv));
            s.initSign(priv);
            s.update(probe);
            byte[] sig = s.sign();
            java.security.Signature v = java.security.Signature.getInstance(signatureAlgorithm(pub));
            v.initVerify(pub);
            v.update(probe);
            if (!v.verify(sig)) {
                throw new DataFormatException(publicKeyFile, "is not the public key of " + privateKeyFile);
            }
        } catch (GeneralSecurityException e) {
            throw new DataFormatException(publicKeyFile, "is not the public key of " + privateKeyFile + " ("
                    + e.getMessage() + ")", e);
        }
        return new SigningKey(priv, pub);
    }

    /** A private key with its public key, as {@link #readPair} reads them. */
    public record SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        public SigningKey {
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(publicKey, "publicKey");
        }

        /** {@link SigningKeys#fingerprint} of the public key. */
        public String fingerprint() {
            return SigningKeys.fingerprint(publicKey);
        }
    }

    /**
     * Reads an EC public key from a PEM file ({@code PUBLIC KEY}).
     *
     * @throws DataFormatException naming the file when it is not such a key, or its curve is not P-256, P-384 or
     *     P-521
     */
    public static PublicKey readPublic(Path file) throws IOException {
        String text = readKeyFile(file);
        try {
            return parsePublic(text);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, e.getMessage(), e);
        }
    }

    /**
     * Reads an EC private key from a PEM file ({@code PRIVATE KEY}, unencrypted PKCS#8).
     *
     * @throws DataFormatException naming the file when it is not such a key (an {@code EC PRIVATE KEY} or an
     *     encrypted key gets the {@code openssl} command that converts it), or its curve is not supported
     */
    public static PrivateKey readPrivate(Path file) throws IOException {
        byte[] der = readPem(file, "PRIVATE KEY");
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            requireCurve(file, ((ECPrivateKey) key).getParams());
            return key;
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new DataFormatException(file, "not an elliptic-curve private key (" + e.getMessage() + ")", e);
        }
    }

    /** The JCA signature algorithm the key signs with: SHA-256, -384 or -512 by curve size, as the format says. */
    static String signatureAlgorithm(java.security.Key key) {
        ECParameterSpec params = key instanceof ECPublicKey pub ? pub.getParams()
                : key instanceof ECPrivateKey priv ? priv.getParams() : null;
        if (params == null) {
            throw new IllegalArgumentException("not an elliptic-curve key: " + key.getAlgorithm());
        }
        int bits = params.getOrder().bitLength();
        return bits <= 256 ? "SHA256withECDSA" : bits <= 384 ? "SHA384withECDSA" : "SHA512withECDSA";
    }

    private static void requireCurve(Path file, ECParameterSpec params) throws DataFormatException {
        try {
            requireCurve(params);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, e.getMessage(), e);
        }
    }

    private static void requireCurve(ECParameterSpec params) {
        int bits = params.getOrder().bitLength();
        if (bits != 256 && bits != 384 && bits != 521) {
            throw new IllegalArgumentException("a " + bits + "-bit curve: only NIST P-256, P-384 and P-521 keys sign "
                    + "model packages");
        }
    }

    private static PublicKey checked(PublicKey key) {
        Objects.requireNonNull(key, "key");
        if (!(key instanceof ECPublicKey)) {
            throw new IllegalArgumentException("not an elliptic-curve public key: " + key.getAlgorithm());
        }
        return key;
    }

    private static byte[] readPem(Path file, String wanted) throws IOException {
        String text = readKeyFile(file);
        try {
            return decodePem(text, wanted);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, e.getMessage(), e);
        }
    }

    /** A key file's text, refused naming it when it is too large to be a key. */
    private static String readKeyFile(Path file) throws IOException {
        long size = Files.size(file);
        long limit = Math.min(ReadLimits.defaults().maxFileBytes(), 1 << 20);
        if (size > limit) {
            throw new DataFormatException(file, size + " bytes: too large for a key file (a PEM key is a few "
                    + "hundred bytes)");
        }
        return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    }

    /**
     * Parses an EC public key from PEM text, as {@link #readPublic} does from a file.
     *
     * @throws IllegalArgumentException when the text is not such a key
     */
    public static PublicKey parsePublic(String pem) {
        byte[] der = decodePem(pem, "PUBLIC KEY");
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            requireCurve(((ECPublicKey) key).getParams());
            return key;
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an elliptic-curve public key (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] decodePem(String text, String wanted) {
        Matcher m = PEM.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("not a PEM file (no -----BEGIN ...----- / -----END ...----- block)");
        }
        String label = m.group(1);
        if (!label.equals(wanted)) {
            throw new IllegalArgumentException("holds a PEM " + label + ", expected a " + wanted + hint(label));
        }
        try {
            return Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("damaged PEM: " + e.getMessage(), e);
        }
    }

    private static String hint(String label) {
        return switch (label) {
            case "EC PRIVATE KEY" -> " (convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8)";
            case "ENCRYPTED PRIVATE KEY" -> " (encrypted keys are not supported: openssl pkcs8 -topk8 -nocrypt "
                    + "-in KEY -out KEY.plain)";
            case "PRIVATE KEY" -> " (this is a private key: give the .pub file)";
            case "PUBLIC KEY" -> " (this is a public key: give the .key file)";
            default -> "";
        };
    }

    private static byte[] pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return ("-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void restrictToOwner(Path file) throws IOException {
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }
}
