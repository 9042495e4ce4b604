package io.medseg.mlops.signing;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The statement we sign equals the model signing reference implementation's golden payloads: each test folder is
 * rebuilt here as its tests build it, hashed into a {@link SigningPayload}, and compared with the golden file after
 * canonical JSON (keys sorted, no insignificant whitespace), byte for byte.
 */
class SigningPayloadGoldenTest {
    private static final String KNOWN_MODEL_TEXT = "This is a simple model";

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"sample_model_file", "sample_model_folder", "deep_model_folder", "empty_model_file",
            "empty_model_folder", "model_folder_with_empty_file", "symlink_model_folder"})
    void statementEqualsTheGoldenPayload(String fixture) throws IOException {
        Path model = build(fixture);
        SigningPayload ours = SigningPayload.of(model, true, List.of());

        String golden = canonical(Json.tree(resource("golden/" + fixture + ".json")));
        assertThat(canonical(Json.tree(new String(ours.statementJson(), StandardCharsets.UTF_8))))
                .isEqualTo(golden);
        // and the golden statement reads back as the same listing
        SigningPayload parsed = SigningPayload.parse(resource("golden/" + fixture + ".json")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.resources()).containsExactlyEntriesOf(ours.resources());
        assertThat(parsed.rootDigest()).isEqualTo(ours.rootDigest());
        assertThat(parsed.modelName()).isEqualTo(ours.modelName());
    }

    @Test
    void canonicalFormSortsKeysAndDropsWhitespace() {
        assertThat(canonical(Json.tree("{ \"b\": [1, {\"y\": true, \"x\": null}], \"a\": \"\\u00e9\\n\" }")))
                .isEqualTo("{\"a\":\"\u00e9\\n\",\"b\":[1,{\"x\":null,\"y\":true}]}");
    }

    /** The folders of the reference implementation's test fixtures, with the same names and contents. */
    private Path build(String fixture) throws IOException {
        Path parent = Files.createDirectories(tmp.resolve("model"));
        switch (fixture) {
            case "sample_model_file" -> {
                return write(parent.resolve("file_model"), KNOWN_MODEL_TEXT);
            }
            case "empty_model_file" -> {
                return write(parent.resolve("empty_file_model"), "");
            }
            case "sample_model_folder" -> {
                Path root = Files.createDirectory(parent.resolve("sample_model"));
                for (int i = 0; i < 2; i++) {
                    Path d = Files.createDirectory(root.resolve("d" + i));
                    for (int j = 0; j < 3; j++) {
                        write(d.resolve("f" + i + j), "This is file f" + i + j + " in d" + i + ".");
                    }
                }
                for (int i = 0; i < 4; i++) {
                    write(root.resolve("f" + i), "This is file f" + i + " in root.");
                }
                return root;
            }
            case "empty_model_folder" -> {
                return Files.createDirectory(parent.resolve("empty_folder_model"));
            }
            case "model_folder_with_empty_file" -> {
                Path root = Files.createDirectory(parent.resolve("empty_file_inside_model"));
                write(root.resolve("empty_file"), "");
                return root;
            }
            case "deep_model_folder" -> {
                Path root = Files.createDirectory(parent.resolve("deep_model"));
                Path current = root;
                for (int i = 0; i < 5; i++) {
                    current = Files.createDirectory(current.resolve("d" + i));
                }
                for (int i = 0; i < 4; i++) {
                    write(current.resolve("f" + i), "This is file f" + i + ".");
                }
                return root;
            }
            case "symlink_model_folder" -> {
                Path external = write(Files.createDirectories(tmp.resolve("external")).resolve("file"),
                        KNOWN_MODEL_TEXT);
                Path root = Files.createDirectory(parent.resolve("symlink_model"));
                Files.createSymbolicLink(root.resolve("symlink_file"), external.toAbsolutePath());
                return root;
            }
            default -> throw new IllegalArgumentException(fixture);
        }
    }

    private static Path write(Path file, String text) throws IOException {
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SigningPayloadGoldenTest.class.getResourceAsStream(name)) {
            return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Canonical JSON: object keys sorted, no whitespace outside strings, strings and numbers as JSON writes them. */
    static String canonical(JsonNode node) {
        StringBuilder out = new StringBuilder();
        canonical(node, out);
        return out.toString();
    }

    private static void canonical(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>(node.propertyNames());
            names.sort(null);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                out.append(i == 0 ? "" : ",").append(Json.mapper().writeValueAsString(names.get(i))).append(':');
                canonical(node.get(names.get(i)), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                out.append(i == 0 ? "" : ",");
                canonical(node.get(i), out);
            }
            out.append(']');
        } else {
            out.append(Json.mapper().writeValueAsString(node));
        }
    }
}
