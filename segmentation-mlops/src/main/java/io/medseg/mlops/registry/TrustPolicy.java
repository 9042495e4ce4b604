package io.medseg.mlops.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.medseg.data.DataFormatException;
import io.medseg.io.Json;
import io.medseg.mlops.signing.ModelSigning;
import io.medseg.mlops.signing.SigningKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A registry's signing rules, kept in {@code REGISTRY/.medseg-trust.json}: whether packages must be signed, and the
 * public keys it trusts, each with a name and the roles it may play.
 *
 * <ul>
 *   <li>{@link Role#REGISTER}: a package signed by such a key may be registered (the signer is the registrant);</li>
 *   <li>{@link Role#APPROVE}: such a key may approve a version for production, if it is not the key that signed
 *       the package (four eyes).</li>
 * </ul>
 * With signatures required, {@link ModelRegistry#register} refuses a package without a {@code model.sig} that a
 * register key made over exactly its files, and promotion to production needs, besides a passing validation, an
 * approval signature over the registered copy by an approve key other than the registrant's. Without the
 * requirement, signatures are neither checked nor needed.
 *
 * <pre>
 * {"format": "medseg-registry-trust", "formatVersion": 1, "require_signatures": true,
 *  "keys": [{"name": "alice", "fingerprint": SHA256, "roles": ["register", "approve"], "public_key": PEM,
 *            "added": TIME, "added_by": USER}]}
 * </pre>
 */
@JsonPropertyOrder({"format", "formatVersion", "require_signatures", "keys"})
public record TrustPolicy(String format, int formatVersion,
        @JsonProperty("require_signatures") boolean requireSignatures, List<Key> keys) {
    static final String FILE_NAME = ".medseg-trust.json";
    static final String FORMAT = "medseg-registry-trust";
    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    /** What a trusted key may do. */
    public enum Role {
        REGISTER, APPROVE;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code register}, {@code approve}, or {@code both}. */
        public static Set<Role> parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "register" -> Set.of(REGISTER);
                case "approve" -> Set.of(APPROVE);
                case "both" -> Set.of(REGISTER, APPROVE);
                default -> throw new IllegalArgumentException("a key role is register, approve or both: " + text);
            };
        }
    }

    /** One trusted key. */
    @JsonPropertyOrder({"name", "fingerprint", "roles", "public_key", "added", "added_by"})
    public record Key(String name, String fingerprint, List<String> roles,
            @JsonProperty("public_key") String publicKey, Instant added, @JsonProperty("added_by") String addedBy) {
        public Key {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(fingerprint, "fingerprint");
            Objects.requireNonNull(publicKey, "public_key");
            roles = roles == null ? List.of() : List.copyOf(roles);
        }

        public boolean may(Role role) {
            return roles.contains(role.id());
        }

        /** The key itself, parsed from its PEM and checked against its fingerprint. */
        public PublicKey key() {
            PublicKey k;
            try {
                k = SigningKeys.parsePublic(publicKey);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("trusted key " + name + ": " + e.getMessage(), e);
            }
            if (!SigningKeys.fingerprint(k).equals(fingerprint)) {
                throw new IllegalStateException("trusted key " + name + ": its public_key has fingerprint "
                        + SigningKeys.fingerprint(k) + ", the registry recorded " + fingerprint);
            }
            return k;
        }

        ModelSigning.TrustedKey trusted() {
            return new ModelSigning.TrustedKey(name, key());
        }
    }

    public TrustPolicy {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("\"format\" is " + format + ", expected \"" + FORMAT + "\"");
        }
        if (formatVersion != 1) {
            throw new IllegalArgumentException("unsupported formatVersion " + formatVersion + " (this library reads 1)");
        }
        keys = keys == null ? List.of() : List.copyOf(keys);
    }

    static TrustPolicy none() {
        return new TrustPolicy(FORMAT, 1, false, List.of());
    }

    /** The keys that may play {@code role}, as the verifier takes them. */
    public List<ModelSigning.TrustedKey> trusted(Role role) {
        List<ModelSigning.TrustedKey> out = new ArrayList<>();
        for (Key k : keys) {
            if (k.may(role)) {
                out.add(k.trusted());
            }
        }
        return out;
    }

    /** The key with this name or fingerprint (or a unique fingerprint prefix of 8 or more digits). */
    public Optional<Key> find(String nameOrFingerprint) {
        String s = nameOrFingerprint.strip();
        for (Key k : keys) {
            if (k.name.equals(s) || k.fingerprint.equals(s)) {
                return Optional.of(k);
            }
        }
        List<Key> byPrefix = s.length() >= 8 ? keys.stream().filter(k -> k.fingerprint.startsWith(s)).toList()
                : List.of();
        return byPrefix.size() == 1 ? Optional.of(byPrefix.get(0)) : Optional.empty();
    }

    TrustPolicy requiring(boolean required) {
        return new TrustPolicy(FORMAT, 1, required, keys);
    }

    TrustPolicy with(String name, PublicKey key, Set<Role> roles, String user) {
        if (!KEY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("key name \"" + name + "\" is not valid: 1 to 64 characters "
                    + "A-Z, a-z, 0-9, '.', '_', '@' or '-'");
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("a trusted key needs a role: register, approve or both");
        }
        String fp = SigningKeys.fingerprint(key);
        for (Key k : keys) {
            if (k.name.equals(name)) {
                throw new IllegalArgumentException("a key named " + name + " is trusted already (fingerprint "
                        + k.fingerprint + "); remove it first or use another name");
            }
            if (k.fingerprint.equals(fp)) {
                throw new IllegalArgumentException("this key is trusted already, as " + k.name);
            }
        }
        List<String> ids = new ArrayList<>();
        for (Role r : Role.values()) {
            if (roles.contains(r)) {
                ids.add(r.id());
            }
        }
        List<Key> next = new ArrayList<>(keys);
        next.add(new Key(name, fp, ids, SigningKeys.publicPem(key), Instant.now(), user));
        return new TrustPolicy(FORMAT, 1, requireSignatures, next);
    }

    TrustPolicy without(Key key) {
        List<Key> next = new ArrayList<>(keys);
        next.remove(key);
        return new TrustPolicy(FORMAT, 1, requireSignatures, next);
    }

    static TrustPolicy read(Path registryRoot) throws IOException {
        Path file = registryRoot.resolve(FILE_NAME);
        String text;
        try {
            text = Json.readUtf8(file);
        } catch (NoSuchFileException absent) {
            return none();
        }
        try {
            return Json.parse(text, TrustPolicy.class);
        } catch (IllegalArgumentException bad) {
            throw new DataFormatException(file, "malformed registry trust settings: " + bad.getMessage(), bad);
        }
    }
}
