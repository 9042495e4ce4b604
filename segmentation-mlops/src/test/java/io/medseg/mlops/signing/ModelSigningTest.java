package io.medseg.mlops.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.medseg.data.DataFormatException;
import io.medseg.io.Json;
import io.medseg.mlops.PackageManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class ModelSigningTest {
    @TempDir
    Path tmp;

    private SigningKeys.SigningKey alice;
    private SigningKeys.SigningKey bob;
    private List<ModelSigning.TrustedKey> trustAlice;

    @BeforeEach
    void keys() throws IOException {
        SigningKeys.generateFiles(tmp.resolve("alice"));
        SigningKeys.generateFiles(tmp.resolve("bob"));
        alice = SigningKeys.readPair(tmp.resolve("alice.key"));
        bob = SigningKeys.readPair(tmp.resolve("bob.key"));
        trustAlice = List.of(new ModelSigning.TrustedKey("alice", SigningKeys.readPublic(tmp.resolve("alice.pub"))));
    }

    /** A complete but tiny package: a model.json, weights and metrics, sealed by a MANIFEST. */
    private Path tinyPackage(String name, long seed) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("model.json"), "{\"format\": \"medseg-model\", \"name\": \"" + name + "\"}\n");
        byte[] weights = new byte[512];
        new SplittableRandom(seed).nextBytes(weights);
        Files.createDirectories(dir.resolve("variables"));
        Files.write(dir.resolve("variables/weights.bin"), weights);
        Files.writeString(dir.resolve("metrics.json"), "{\"dice_mean\": 0.91}\n");
        PackageManifest.write(dir);
        return dir;
    }

    @Test
    void keysArePemFilesAndThePrivateOneIsTheOwnersOnly() throws IOException {
        String pub = Files.readString(tmp.resolve("alice.pub"));
        assertThat(pub).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        assertThat(Files.readString(tmp.resolve("alice.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("alice.key"))))
                .isEqualTo("rw-------");
        // the fingerprint is over the PEM as written
        assertThat(alice.fingerprint()).isEqualTo(io.medseg.mlops.Hashing.sha256(pub.getBytes(
                StandardCharsets.US_ASCII)));
        assertThat(alice.fingerprint()).isNotEqualTo(bob.fingerprint());
        assertThatThrownBy(() -> SigningKeys.generateFiles(tmp.resolve("alice")))
                .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("alice.key");
    }

    @Test
    void wrongKeyFilesAreRefusedByName() throws IOException {
        assertThatThrownBy(() -> SigningKeys.readPrivate(tmp.resolve("alice.pub")))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("alice.pub")
                .hasMessageContaining("give the .key file");
        assertThatThrownBy(() -> SigningKeys.readPublic(tmp.resolve("alice.key")))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("give the .pub file");
        Path sec1 = Files.writeString(tmp.resolve("old.key"), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n"
                + "-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> SigningKeys.readPrivate(sec1)).hasMessageContaining("openssl pkcs8 -topk8");
        Path text = Files.writeString(tmp.resolve("text.pub"), "hello");
        assertThatThrownBy(() -> SigningKeys.readPublic(text)).hasMessageContaining("not a PEM file");
        // a .key with another pair's .pub beside it
        Files.copy(tmp.resolve("alice.key"), tmp.resolve("mixed.key"));
        Files.copy(tmp.resolve("bob.pub"), tmp.resolve("mixed.pub"));
        assertThatThrownBy(() -> SigningKeys.readPair(tmp.resolve("mixed.key")))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("is not the public key of");
        Files.copy(tmp.resolve("alice.key"), tmp.resolve("lonely.key"));
        assertThatThrownBy(() -> SigningKeys.readPair(tmp.resolve("lonely.key")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("lonely.pub");
    }

    @Test
    void aSignedPackageVerifiesAndItsManifestCheckLetsTheSignatureBe() throws IOException {
        Path pkg = tinyPackage("cardiac-lv", 1);
        SigningPayload signed = ModelSigning.sign(pkg, alice);
        assertThat(pkg.resolve("model.sig")).isRegularFile();
        assertThat(signed.resources()).containsOnlyKeys("MANIFEST", "metrics.json", "model.json",
                "variables/weights.bin");
        assertThat(signed.ignorePaths()).containsExactly("model.sig", "validations");

        ModelSigning.Verified v = ModelSigning.verify(pkg, trustAlice);
        assertThat(v.fingerprint()).isEqualTo(alice.fingerprint());
        assertThat(v.key().name()).isEqualTo("alice");
        assertThat(v.payload().rootDigest()).isEqualTo(signed.rootDigest());
        PackageManifest.verify(pkg);

        // validation records added later are evidence, not signed content
        Files.createDirectories(pkg.resolve("validations"));
        Files.writeString(pkg.resolve("validations/validation-1.json"), "{}");
        ModelSigning.verify(pkg, trustAlice);

        // the bundle is the model signing format
        JsonNode bundle = Json.tree(Files.readString(pkg.resolve("model.sig")));
        assertThat(bundle.path("mediaType").asString()).isEqualTo(SignatureBundle.MEDIA_TYPE);
        assertThat(bundle.path("verificationMaterial").path("publicKey").path("hint").asString())
                .isEqualTo(alice.fingerprint());
        JsonNode env = bundle.path("dsseEnvelope");
        assertThat(env.path("payloadType").asString()).isEqualTo("application/vnd.in-toto+json");
        byte[] payload = Base64.getDecoder().decode(env.path("payload").asString());
        assertThat(payload).isEqualTo(signed.statementJson());
        // the signature is over the DSSE pre-authentication encoding, checked here with the JCA directly
        byte[] sig = Base64.getDecoder().decode(env.path("signatures").get(0).path("sig").asString());
        assertThat(verifiesOver(sig, SignatureBundle.pae("application/vnd.in-toto+json", payload))).isTrue();
        assertThat(verifiesOver(sig, payload)).isFalse();
    }

    @Test
    void preAuthenticationEncodingIsTheDsseSpecs() {
        // the example of the DSSE v1 protocol: "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        assertThat(new String(SignatureBundle.pae("http://example.com/HelloWorld",
                "hello world".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
        // lengths count bytes, not characters
        assertThat(SignatureBundle.pae("t", "\u00e9".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("DSSEv1 1 t 2 \u00e9".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void flippingAnyByteOfAnyPackageFileFailsNamingThatFile() throws IOException {
        Path pkg = tinyPackage("cardiac-lv", 2);
        ModelSigning.sign(pkg, alice);
        List<Path> files;
        try (Stream<Path> s = Files.walk(pkg)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("model.sig"))
                    .sorted().toList();
        }
        assertThat(files).hasSize(4);
        int flips = 0;
        for (Path f : files) {
            byte[] original = Files.readAllBytes(f);
            for (int i = 0; i < original.length; i++) {
                byte[] changed = original.clone();
                changed[i] ^= 1;
                Files.write(f, changed);
                try {
                    ModelSigning.verify(pkg, trustAlice);
                    fail("a flipped byte " + i + " of " + f + " verified");
                } catch (SignatureVerificationException e) {
                    assertThat(e.file()).contains(f);
                    assertThat(e.getMessage()).contains("modified");
                }
                flips++;
            }
            Files.write(f, original);
        }
        assertThat(flips).isGreaterThan(600);
        ModelSigning.verify(pkg, trustAlice);
    }

    @Test
    void flippingAnyByteOfTheBundleFailsNamingTheBundle() throws IOException {
        Path pkg = tinyPackage("cardiac-lv", 3);
        ModelSigning.sign(pkg, alice);
        Path sig = pkg.resolve("model.sig");
        byte[] original = Files.readAllBytes(sig);
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < original.length; i++) {
            byte[] changed = original.clone();
            changed[i] ^= 1;
            Files.write(sig, changed);
            try {
                ModelSigning.verify(pkg, trustAlice);
                fail("byte " + i + " of model.sig flipped ('" + (char) original[i] + "') still verified");
            } catch (SignatureVerificationException e) {
                assertThat(e.file()).contains(sig);
                reasons.add(e.getMessage());
            }
        }
        assertThat(reasons).hasSize(original.length);
        Files.write(sig, original);
        ModelSigning.verify(pkg, trustAlice);
    }

    @Test
    void anotherKeysSignatureIsRefusedSayingWhy() throws IOException {
        Path pkg = tinyPackage("cardiac-lv", 4);
        ModelSigning.sign(pkg, bob);
        assertThatThrownBy(() -> ModelSigning.verify(pkg, trustAlice))
                .isInstanceOf(SignatureVerificationException.class)
                .hasMessageContaining("signed by key " + bob.fingerprint().substring(0, 16))
                .hasMessageContaining("not trusted").hasMessageContaining("alice");

        // bob's signature relabelled as alice's: the hint names alice, the signature is not hers
        Path sig = pkg.resolve("model.sig");
        ObjectNode b = (ObjectNode) Json.tree(Files.readString(sig));
        ((ObjectNode) b.path("verificationMaterial").path("publicKey")).put("hint", alice.fingerprint());
        Files.writeString(sig, Json.write(b));
        assertThatThrownBy(() -> ModelSigning.verify(pkg, trustAlice))
                .hasMessageContaining("does not verify with key alice");

        // alice's signature of another package swapped in: her signature holds, the content does not
        Path other = tinyPackage("other", 5);
        ModelSigning.sign(other, alice);
        Files.copy(other.resolve("model.sig"), sig, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> ModelSigning.verify(pkg, trustAlice))
                .isInstanceOf(SignatureVerificationException.class).hasMessageContaining("modified");
    }

    @Test
    void addedRemovedAndUnsignedFilesAreNamed() throws IOException {
        Path pkg = tinyPackage("cardiac-lv", 6);
        ModelSigning.sign(pkg, alice);
        Files.writeString(pkg.resolve("variables/extra.bin"), "x");
        assertThatThrownBy(() -> ModelSigning.verify(pkg, trustAlice))
                .hasMessageContaining("extra.bin").hasMessageContaining("not signed");
        Files.delete(pkg.resolve("variables/extra.bin"));
        Files.delete(pkg.resolve("metrics.json"));
        assertThatThrownBy(() -> ModelSigning.verify(pkg, trustAlice))
                .hasMessageContaining("metrics.json").hasMessageContaining("missing");
        Files.delete(pkg.resolve("model.sig"));
        assertThatThrownBy(() -> ModelSigning.verify(pkg, trustAlice))
                .isInstanceOf(SignatureVerificationException.class).hasMessageContaining("model.sig")
                .hasMessageContaining("not signed");
        assertThatThrownBy(() -> ModelSigning.verify(pkg, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no trusted keys");
    }

    @Test
    void anIntactManifestIsNeededToSignAndLinksAreRefused() throws IOException {
        Path pkg = tinyPackage("cardiac-lv", 7);
        Files.writeString(pkg.resolve("metrics.json"), "{\"dice_mean\": 0.99}\n");
        assertThatThrownBy(() -> ModelSigning.sign(pkg, alice))
                .isInstanceOf(io.medseg.mlops.PackageIntegrityException.class).hasMessageContaining("metrics.json");
        assertThat(pkg.resolve("model.sig")).doesNotExist();

        Path model = Files.createDirectories(tmp.resolve("folder"));
        Files.writeString(model.resolve("a"), "a");
        Files.createSymbolicLink(model.resolve("link"), model.resolve("a"));
        assertThatThrownBy(() -> SigningPayload.of(model, false, List.of()))
                .isInstanceOf(UnsignableModelException.class).hasMessageContaining("link")
                .hasMessageContaining("symbolic link");
    }

    @Test
    void aStatementThatContradictsItselfIsRefused() {
        String tampered = "{\"_type\": \"https://in-toto.io/Statement/v1\", \"subject\": [{\"name\": \"m\", "
                + "\"digest\": {\"sha256\": \"" + "0".repeat(64) + "\"}}], \"predicateType\": "
                + "\"https://model_signing/signature/v1.0\", \"predicate\": {\"serialization\": {\"method\": "
                + "\"files\", \"hash_type\": \"sha256\", \"allow_symlinks\": false}, \"resources\": [{\"algorithm\": "
                + "\"sha256\", \"digest\": \"" + "1".repeat(64) + "\", \"name\": \"a\"}]}}";
        assertThatThrownBy(() -> SigningPayload.parse(tampered.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("inconsistent");
        String escaping = tampered.replace("\"name\": \"a\"", "\"name\": \"../a\"");
        assertThatThrownBy(() -> SigningPayload.parse(escaping.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("unsafe");
        String shards = tampered.replace("\"files\"", "\"shards\"");
        assertThatThrownBy(() -> SigningPayload.parse(shards.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not supported");
    }

    private boolean verifiesOver(byte[] sig, byte[] message) {
        try {
            java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSA");
            s.initVerify(alice.publicKey());
            s.update(message);
            return s.verify(sig);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
