package io.medseg.mlops.signing;

import io.medseg.data.ReadLimits;
import io.medseg.io.AtomicFile;
import io.medseg.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A Sigstore bundle ({@value #MEDIA_TYPE}) holding a DSSE envelope over an in-toto statement, signed with a key:
 * the file the OpenSSF model signing tools write and read as {@code model.sig}.
 *
 * <pre>
 * {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
 *  "verificationMaterial": {"publicKey": {"hint": FINGERPRINT}, "tlogEntries": []},
 *  "dsseEnvelope": {"payload": BASE64(statement), "payloadType": "application/vnd.in-toto+json",
 *                   "signatures": [{"sig": BASE64(DER ECDSA over PAE(payloadType, statement)), "keyid": ""}]}}
 * </pre>
 * The signature is over the DSSE pre-authentication encoding ({@link #pae}), never over the statement alone, so
 * the payload type is signed too. The hint is the signing key's {@linkplain SigningKeys#fingerprint fingerprint};
 * there is no transparency-log entry (key-based signing).
 */
public final class SignatureBundle {
    public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

    private final String keyHint;
    private final String payloadType;
    private final byte[] payload;
    private final byte[] signature;

    private SignatureBundle(String keyHint, String payloadType, byte[] payload, byte[] signature) {
        this.keyHint = keyHint;
        this.payloadType = payloadType;
        this.payload = payload;
        this.signature = signature;
    }

    /**
     * DSSE v1 pre-authentication encoding: {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, lengths in
     * bytes as ASCII decimals.
     */
    public static byte[] pae(String payloadType, byte[] body) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + body.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /** Signs the statement with the key pair. */
    public static SignatureBundle sign(SigningPayload payload, SigningKeys.SigningKey key) {
        byte[] body = payload.statementJson();
        try {
            Signature s = Signature.getInstance(SigningKeys.signatureAlgorithm(key.privateKey()));
            s.initSign(key.privateKey());
            s.update(pae(SigningPayload.PAYLOAD_TYPE, body));
            return new SignatureBundle(key.fingerprint(), SigningPayload.PAYLOAD_TYPE, body, s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a bundle and checks its shape (media type, one DSSE signature, base64 fields); the signature itself is
     * checked by {@link #verify}.
     *
     * @throws SignatureVerificationException naming {@code file} when it is missing or not such a bundle
     */
    public static SignatureBundle read(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new SignatureVerificationException(file, "missing: the model is not signed (segment sign)");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new SignatureVerificationException(file, "not a regular file");
        }
        long size = Files.size(file);
        if (size > ReadLimits.defaults().maxFileBytes()) {
            throw new SignatureVerificationException(file, size + " bytes: over the limit of "
                    + ReadLimits.defaults().maxFileBytes() + " bytes for a signature bundle");
        }
        JsonNode b;
        try {
            b = Json.tree(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new SignatureVerificationException(file, "not a signature bundle: not JSON ("
                    + e.getMessage() + ")", e);
        }
        requireKnownFields(file, b, "the bundle", Set.of("mediaType", "verificationMaterial", "dsseEnvelope"));
        requireKnownFields(file, b.path("verificationMaterial"), "verificationMaterial",
                Set.of("publicKey", "tlogEntries", "timestampVerificationData"));
        requireKnownFields(file, b.path("verificationMaterial").path("publicKey"), "publicKey", Set.of("hint"));
        requireKnownFields(file, b.path("dsseEnvelope"), "dsseEnvelope",
                Set.of("payload", "payloadType", "signatures"));
        JsonNode tlog = b.path("verificationMaterial").path("tlogEntries");
        if (!tlog.isMissingNode() && !(tlog.isArray() && tlog.isEmpty())) {
            throw new SignatureVerificationException(file, "the bundle has transparency-log entries: a key-based "
                    + "model signature has none (Sigstore keyless bundles are not supported)");
        }
        String media = b.path("mediaType").asString(null);
        if (!MEDIA_TYPE.equals(media)) {
            throw new SignatureVerificationException(file, "not a signature bundle of this format: mediaType is "
                    + b.path("mediaType") + ", expected " + MEDIA_TYPE);
        }
        JsonNode env = b.path("dsseEnvelope");
        if (!env.isObject()) {
            throw new SignatureVerificationException(file, "the bundle holds no dsseEnvelope (a message signature "
                    + "or certificate-based bundle is not a model signature)");
        }
        JsonNode sigs = env.path("signatures");
        if (!sigs.isArray() || sigs.size() != 1) {
            throw new SignatureVerificationException(file, "the envelope has " + (sigs.isArray() ? sigs.size() : 0)
                    + " signatures, expected exactly 1");
        }
        String type = env.path("payloadType").asString(null);
        if (!SigningPayload.PAYLOAD_TYPE.equals(type)) {
            throw new SignatureVerificationException(file, "payloadType is " + env.path("payloadType")
                    + ", expected " + SigningPayload.PAYLOAD_TYPE);
        }
        requireKnownFields(file, sigs.get(0), "the signature", Set.of("sig", "keyid"));
        if (!sigs.get(0).path("keyid").asString("").isEmpty()) {
            throw new SignatureVerificationException(file, "the signature's keyid is " + sigs.get(0).path("keyid")
                    + ": a model signature names its key by verificationMaterial.publicKey.hint, its keyid is empty");
        }
        JsonNode hintNode = b.path("verificationMaterial").path("publicKey").path("hint");
        String hint = hintNode.isNull() ? "" : hintNode.asString("");
        if (!hint.isEmpty() && !io.medseg.mlops.Hashing.isSha256Hex(hint)) {
            throw new SignatureVerificationException(file, "the key hint " + hintNode + " is not a sha256 "
                    + "fingerprint");
        }
        try {
            byte[] payload = strictBase64(env.path("payload").asString(""));
            byte[] sig = strictBase64(sigs.get(0).path("sig").asString(""));
            if (payload.length == 0 || sig.length == 0) {
                throw new SignatureVerificationException(file, "the envelope's payload or signature is empty");
            }
            return new SignatureBundle(hint, type, payload, sig);
        } catch (IllegalArgumentException e) {
            throw new SignatureVerificationException(file, "the envelope's payload or signature is not base64 ("
                    + e.getMessage() + ")", e);
        }
    }

    /** Base64 with padding, refusing any text that is not exactly what its bytes encode to. */
    private static byte[] strictBase64(String text) {
        byte[] bytes = Base64.getDecoder().decode(text);
        if (!Base64.getEncoder().encodeToString(bytes).equals(text)) {
            throw new IllegalArgumentException("non-canonical encoding");
        }
        return bytes;
    }

    private static void requireKnownFields(Path file, JsonNode node, String what, Set<String> known)
            throws SignatureVerificationException {
        if (!node.isObject()) {
            return;
        }
        for (String name : node.propertyNames()) {
            if (!known.contains(name)) {
                throw new SignatureVerificationException(file, what + " has an unknown field \"" + name
                        + "\" (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    /** Writes the bundle to {@code file} atomically. */
    public void write(Path file) throws IOException {
        Map<String, Object> sig = new LinkedHashMap<>();
        sig.put("sig", Base64.getEncoder().encodeToString(signature));
        sig.put("keyid", "");
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("payload", Base64.getEncoder().encodeToString(payload));
        env.put("payloadType", payloadType);
        env.put("signatures", List.of(sig));
        Map<String, Object> material = new LinkedHashMap<>();
        material.put("publicKey", Map.of("hint", keyHint));
        material.put("tlogEntries", List.of());
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put("mediaType", MEDIA_TYPE);
        bundle.put("verificationMaterial", material);
        bundle.put("dsseEnvelope", env);
        AtomicFile.writeString(file, Json.write(bundle) + "\n");
    }

    /** The fingerprint the bundle names its key by ({@code ""} when it names none). */
    public String keyHint() {
        return keyHint;
    }

    /** The signed statement bytes (not yet verified: only {@link #verify} says they are the key's). */
    public byte[] payload() {
        return payload.clone();
    }

    /** Whether the signature is {@code key}'s over this payload. */
    public boolean verify(PublicKey key) {
        Objects.requireNonNull(key, "key");
        try {
            Signature s = Signature.getInstance(SigningKeys.signatureAlgorithm(key));
            s.initVerify(key);
            s.update(pae(payloadType, payload));
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // a malformed DER signature is a signature that does not verify
            return false;
        }
    }
}
