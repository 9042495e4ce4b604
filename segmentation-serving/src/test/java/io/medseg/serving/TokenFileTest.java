package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
    private static final String TOKEN = "[A-Za-z0-9_-]{43}"; // 32 random bytes, base64url without padding

    @TempDir
    Path tmp;

    /** The SHA-256 of the token, computed here rather than by the code under test. */
    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void issueAppendsTheTokensHashNotTheTokenToAFileOnlyItsOwnerCanRead() throws IOException {
        Path file = tmp.resolve("conf/tokens");

        String token = TokenFile.issue(file, "alice");

        assertThat(token).matches(TOKEN);
        assertThat(Files.readAllLines(file)).containsExactly("alice " + hash(token));
        assertThat(Files.readString(file)).doesNotContain(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void everyIssuedTokenIsNewAndAuthenticatesItsClientOnly() throws IOException {
        Path file = tmp.resolve("tokens");
        String alice = TokenFile.issue(file, "alice");
        String bob = TokenFile.issue(file, "bob@ward-3.example");

        TokenFile tokens = TokenFile.open(file);

        assertThat(alice).isNotEqualTo(bob);
        assertThat(tokens.ids()).containsExactly("alice", "bob@ward-3.example");
        assertThat(tokens.authenticate(alice)).contains("alice");
        assertThat(tokens.authenticate(bob)).contains("bob@ward-3.example");
        for (String wrong : Arrays.asList(null, "", alice + "x", alice.substring(1), alice.toUpperCase(Locale.ROOT),
                hash(alice),
                "alice")) {
            assertThat(tokens.authenticate(wrong)).as(wrong).isEmpty();
        }
    }

    @Test
    void anIdThatIsNotANameIsRefusedAndNothingIsWritten() {
        Path file = tmp.resolve("tokens");
        for (String id : Arrays.asList(null, "", "two words", "x".repeat(65), "a/b", "caf\u00e9", "tab\t", "#x",
                "a:b")) {
            assertThatThrownBy(() -> TokenFile.issue(file, id)).as(id).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token id");
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void namesOfUpTo64AllowedCharactersAreTaken() throws IOException {
        Path file = tmp.resolve("tokens");
        for (String id : List.of("a", "x".repeat(64), "svc.viewer-1_@host", "007")) {
            TokenFile.issue(file, id);
        }
        assertThat(TokenFile.open(file).ids()).hasSize(4);
    }

    @Test
    void aSecondTokenForAnIdIsRefusedAndTheFileLeftAsItWas() throws IOException {
        Path file = tmp.resolve("tokens");
        String first = TokenFile.issue(file, "alice");
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> TokenFile.issue(file, "alice")).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("'alice'").hasMessageContaining(file.toString());

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(TokenFile.open(file).authenticate(first)).contains("alice");
    }

    @Test
    void aTokenAddedOrRemovedWhileOpenTakesEffect() throws IOException {
        Path file = tmp.resolve("tokens");
        String alice = TokenFile.issue(file, "alice");
        TokenFile tokens = TokenFile.open(file);

        String bob = TokenFile.issue(file, "bob");
        assertThat(tokens.authenticate(bob)).contains("bob");

        Files.writeString(file, "bob " + hash(bob) + "\n");
        assertThat(tokens.authenticate(alice)).isEmpty();
        assertThat(tokens.authenticate(bob)).contains("bob");
        assertThat(tokens.ids()).containsExactly("bob");
    }

    @Test
    void aRewriteOfTheSameSizeIsSeenByItsTime() throws IOException {
        Path file = tmp.resolve("tokens");
        String alice = TokenFile.issue(file, "alice");
        TokenFile tokens = TokenFile.open(file);
        assertThat(tokens.authenticate(alice)).contains("alice");

        // "alice" revoked, "carol" added: the same number of bytes
        String carol = "carol-token";
        Files.writeString(file, "carol " + hash(carol) + "\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 2_000));

        assertThat(tokens.authenticate(alice)).isEmpty();
        assertThat(tokens.authenticate(carol)).contains("carol");
    }

    @Test
    void aMalformedLineIsNamedByItsNumber() throws IOException {
        String good = "alice " + hash("a");
        for (String bad : List.of("bob", "bob " + hash("b") + " extra", "bob " + hash("b").toUpperCase(Locale.ROOT),
                "bob " + hash("b").substring(2), "b\u00f6b " + hash("b"), "bob:" + hash("b"))) {
            Path file = Files.writeString(tmp.resolve("tokens"), "# clients\n\n" + good + "\n" + bad + "\n",
                    StandardCharsets.UTF_8);

            assertThatThrownBy(() -> TokenFile.open(file)).as(bad).isInstanceOf(DataFormatException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("line 4");
        }
    }

    @Test
    void aNameGivenTwiceIsNamedByItsLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("tokens"), "alice " + hash("a") + "\nalice " + hash("b") + "\n");

        assertThatThrownBy(() -> TokenFile.open(file)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("line 2").hasMessageContaining("'alice'");
    }

    @Test
    void commentsBlankLinesAndSpacesAreIgnored() throws IOException {
        Path file = Files.writeString(tmp.resolve("tokens"), "# who may call\n\n   \n  alice\t " + hash("a")
                + "  \n# bob left\n");

        assertThat(TokenFile.open(file).ids()).containsExactly("alice");
        assertThat(TokenFile.open(file).authenticate("a")).contains("alice");
    }

    @Test
    void aFileWithoutAFinalNewlineGetsOneBeforeTheNextLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("tokens"), "alice " + hash("a"));

        String bob = TokenFile.issue(file, "bob");

        assertThat(Files.readAllLines(file)).containsExactly("alice " + hash("a"), "bob " + hash(bob));
    }

    @Test
    void aMalformedFileIsNotAppendedTo() throws IOException {
        Path file = Files.writeString(tmp.resolve("tokens"), "not a tokens file\n");

        assertThatThrownBy(() -> TokenFile.issue(file, "alice")).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("line 1");
        assertThat(Files.readString(file)).isEqualTo("not a tokens file\n");
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        assertThatThrownBy(() -> TokenFile.open(tmp.resolve("none"))).isInstanceOf(NoSuchFileException.class);
    }

    /** An edit that breaks the file keeps the tokens known before, until the file is fixed. */
    @Test
    void aMalformedEditKeepsTheTokensKnownUntilTheFileIsFixed() throws IOException {
        Path file = tmp.resolve("tokens");
        String alice = TokenFile.issue(file, "alice");
        TokenFile tokens = TokenFile.open(file);

        Files.writeString(file, "alice " + hash(alice) + "\nbob oops\n");
        assertThat(tokens.authenticate(alice)).contains("alice");
        assertThat(tokens.authenticate(alice)).contains("alice");

        String bob = "bob-token";
        Files.writeString(file, "bob " + hash(bob) + "\n");
        assertThat(tokens.authenticate(alice)).isEmpty();
        assertThat(tokens.authenticate(bob)).isEqualTo(Optional.of("bob"));
    }
}
