package io.medseg.mlops.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.TestPackages;
import io.medseg.mlops.audit.AuditLog;
import io.medseg.mlops.signing.ModelSigning;
import io.medseg.mlops.signing.SignatureVerificationException;
import io.medseg.mlops.signing.SigningKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** A registry that requires signatures: trusted keys, signed registration, four-eyes approval, all audited. */
class RegistrySignaturesTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path tmp;
    ModelRegistry registry;
    SigningKeys.SigningKey alice;
    SigningKeys.SigningKey bob;
    SigningKeys.SigningKey carol;

    @BeforeEach
    void setUp() throws IOException {
        registry = ModelRegistry.open(tmp.resolve("registry"));
        for (String who : List.of("alice", "bob", "carol")) {
            SigningKeys.generateFiles(tmp.resolve(who));
        }
        alice = SigningKeys.readPair(tmp.resolve("alice.key"));
        bob = SigningKeys.readPair(tmp.resolve("bob.key"));
        carol = SigningKeys.readPair(tmp.resolve("carol.key"));
    }

    private Path signedPackage(String variant, SigningKeys.SigningKey key) throws IOException {
        Path p = TestPackages.create(tmp.resolve("packages").resolve(variant), "cardiac-lv", variant);
        TestPackages.writeValidation(p, PackageManifest.sha256(p), true, T0);
        if (key != null) {
            ModelSigning.sign(p, key);
        }
        return p;
    }

    private void requireWithAliceRegisteringAndBobApproving() throws IOException {
        registry.trustKey("alice", alice.publicKey(), Set.of(TrustPolicy.Role.REGISTER, TrustPolicy.Role.APPROVE));
        registry.trustKey("bob", bob.publicKey(), TrustPolicy.Role.parse("approve"));
        registry.requireSignatures(true);
    }

    @Test
    void signaturesCanOnlyBeRequiredOnceAKeyMayRegister() throws IOException {
        assertThatThrownBy(() -> registry.requireSignatures(true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no key may register");
        registry.trustKey("bob", bob.publicKey(), Set.of(TrustPolicy.Role.APPROVE));
        assertThatThrownBy(() -> registry.requireSignatures(true)).hasMessageContaining("no key may register");
        assertThatThrownBy(() -> registry.trustKey("bob2", bob.publicKey(), Set.of(TrustPolicy.Role.APPROVE)))
                .hasMessageContaining("trusted already, as bob");
        assertThatThrownBy(() -> registry.trustKey("bob", alice.publicKey(), Set.of(TrustPolicy.Role.APPROVE)))
                .hasMessageContaining("a key named bob");
        assertThat(registry.trustPolicy().requireSignatures()).isFalse();
    }

    @Test
    void withoutTheRequirementSignaturesAreNeitherCheckedNorNeeded() throws IOException {
        ModelVersion v = registry.register(signedPackage("a", null));
        assertThat(v.signedByKey()).isEmpty();
        registry.promote("cardiac-lv", 1, Stage.PRODUCTION);
        assertThat(registry.version("cardiac-lv", 1).stage()).isEqualTo(Stage.PRODUCTION);
    }

    @Test
    void registerRefusesUnsignedAndUntrustedPackagesAndRecordsTheSigner() throws IOException {
        requireWithAliceRegisteringAndBobApproving();
        assertThatThrownBy(() -> registry.register(signedPackage("unsigned", null)))
                .isInstanceOf(SignatureVerificationException.class).hasMessageContaining("model.sig")
                .hasMessageContaining("not signed");
        assertThatThrownBy(() -> registry.register(signedPackage("by-carol", carol)))
                .isInstanceOf(SignatureVerificationException.class).hasMessageContaining("not trusted");
        // bob may approve but not register
        assertThatThrownBy(() -> registry.register(signedPackage("by-bob", bob)))
                .hasMessageContaining("not trusted");
        // signed, then changed
        Path changed = signedPackage("changed", alice);
        Files.writeString(changed.resolve("MODEL_CARD.md"), "# edited\n");
        PackageManifest.write(changed);
        assertThatThrownBy(() -> registry.register(changed)).isInstanceOf(SignatureVerificationException.class)
                .hasMessageContaining("MANIFEST").hasMessageContaining("modified");
        assertThat(registry.list("cardiac-lv")).isEmpty();

        ModelVersion v = registry.register(signedPackage("a", alice));
        assertThat(v.signedByKey()).contains(alice.fingerprint());
        assertThat(v.path().resolve("model.sig")).isRegularFile();
        ModelSigning.verify(v.path(), registry.trustPolicy().trusted(TrustPolicy.Role.REGISTER));
    }

    @Test
    void productionNeedsASecondPersonsApproval() throws IOException {
        requireWithAliceRegisteringAndBobApproving();
        registry.register(signedPackage("a", alice));
        assertThatThrownBy(() -> registry.promote("cardiac-lv", 1, Stage.PRODUCTION))
                .isInstanceOf(PromotionRefusedException.class).hasMessageContaining("four eyes")
                .hasMessageContaining("--key");
        // the registrant cannot approve their own package, an untrusted key cannot approve at all
        assertThatThrownBy(() -> registry.approve("cardiac-lv", 1, alice))
                .isInstanceOf(PromotionRefusedException.class).hasMessageContaining("four eyes")
                .hasMessageContaining("alice");
        assertThatThrownBy(() -> registry.approve("cardiac-lv", 1, carol))
                .isInstanceOf(PromotionRefusedException.class).hasMessageContaining("not trusted");
        assertThat(registry.version("cardiac-lv", 1).stage()).isEqualTo(Stage.STAGING);

        registry.approve("cardiac-lv", 1, bob);
        Path approval = tmp.resolve("registry/cardiac-lv/1/approvals").resolve(bob.fingerprint() + ".sig");
        assertThat(approval).isRegularFile();
        // the package itself is unchanged by the approval: same MANIFEST, same model.sig
        PackageManifest.verify(registry.get("cardiac-lv", 1));

        ModelVersion prod = registry.promote("cardiac-lv", 1, Stage.PRODUCTION);
        assertThat(prod.stage()).isEqualTo(Stage.PRODUCTION);
        assertThat(prod.signedByKey()).contains(alice.fingerprint());
        assertThat(prod.approvedByKey()).contains(bob.fingerprint());
    }

    @Test
    void aTamperedApprovalOrARemovedApproverKeyDoesNotCount() throws IOException {
        requireWithAliceRegisteringAndBobApproving();
        registry.register(signedPackage("a", alice));
        registry.approve("cardiac-lv", 1, bob);
        Path approval = tmp.resolve("registry/cardiac-lv/1/approvals").resolve(bob.fingerprint() + ".sig");
        byte[] good = Files.readAllBytes(approval);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 1;
        Files.write(approval, bad);
        assertThatThrownBy(() -> registry.promote("cardiac-lv", 1, Stage.PRODUCTION))
                .isInstanceOf(PromotionRefusedException.class).hasMessageContaining("not valid");
        Files.write(approval, good);
        registry.distrustKey("bob");
        assertThatThrownBy(() -> registry.promote("cardiac-lv", 1, Stage.PRODUCTION))
                .isInstanceOf(PromotionRefusedException.class).hasMessageContaining("four eyes");
        registry.trustKey("bob", bob.publicKey(), Set.of(TrustPolicy.Role.APPROVE));
        assertThat(registry.promote("cardiac-lv", 1, Stage.PRODUCTION).stage()).isEqualTo(Stage.PRODUCTION);
    }

    @Test
    void everyStepIsInTheAuditLogWithItsKey() throws IOException {
        requireWithAliceRegisteringAndBobApproving();
        assertThatThrownBy(() -> registry.register(signedPackage("unsigned", null)));
        registry.register(signedPackage("a", alice));
        assertThatThrownBy(() -> registry.approve("cardiac-lv", 1, alice));
        registry.approve("cardiac-lv", 1, bob);
        registry.promote("cardiac-lv", 1, Stage.PRODUCTION);

        AuditLog log = registry.auditLog();
        assertThat(log.verify().intact()).isTrue();
        List<JsonNode> events = log.entries();
        assertThat(events).extracting(e -> e.path("action").asString() + " " + e.path("outcome").asString())
                .containsExactly("trust-key ok", "trust-key ok", "require-signatures ok", "register refused",
                        "register ok", "approve refused", "approve ok", "promote ok");
        JsonNode registered = events.get(4);
        assertThat(registered.path("details").path("signed_by_key").asString()).isEqualTo(alice.fingerprint());
        JsonNode approved = events.get(6);
        assertThat(approved.path("actor_key").asString()).isEqualTo(bob.fingerprint());
        assertThat(events.get(5).path("actor_key").asString()).isEqualTo(alice.fingerprint());
        JsonNode promoted = events.get(7);
        assertThat(promoted.path("details").path("approved_by_key").asString()).isEqualTo(bob.fingerprint());
        assertThat(promoted.path("subject").path("manifest_sha256").asString())
                .isEqualTo(PackageManifest.sha256(registry.get("cardiac-lv", 1)));
        try (Stream<Path> s = Files.list(tmp.resolve("registry"))) {
            assertThat(s.map(p -> p.getFileName().toString())).contains(".medseg-trust.json", "audit.log");
        }
    }

    @Test
    void aValidationOfARegisteredCopyIsAudited() throws IOException {
        ModelVersion v = registry.register(signedPackage("a", null));
        Path record = TestPackages.writeValidation(v.path(), v.manifestSha256(), false, T0.plusSeconds(60));
        assertThat(ModelRegistry.recordValidation(v.path(), ValidationRecord.read(record))).isTrue();
        assertThat(ModelRegistry.recordValidation(tmp.resolve("packages/a"), ValidationRecord.read(record)))
                .isFalse();
        JsonNode last = registry.auditLog().entries().get(registry.auditLog().entries().size() - 1);
        assertThat(last.path("action").asString()).isEqualTo("validate");
        assertThat(last.path("outcome").asString()).isEqualTo("failed");
        assertThat(last.path("details").path("record_sha256").asString())
                .isEqualTo(io.medseg.mlops.Hashing.sha256(record));
        assertThat(last.path("subject").path("version").asInt()).isEqualTo(1);
    }
}
