package io.medseg.io;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.medseg.data.DataFormatException;
import io.medseg.data.ReadLimits;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.io.CharacterEscapes;
import tools.jackson.core.io.SerializedString;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.core.type.TypeReference;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.JsonGeneratorDecorator;
import tools.jackson.core.util.JsonGeneratorDelegate;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.databind.introspect.AnnotatedMember;
import tools.jackson.databind.introspect.AnnotatedParameter;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every JSON file of the library is read and written through this one Jackson {@link JsonMapper}, configured so
 * that the files keep one exact form:
 *
 * <ul>
 *   <li>Pretty output has a 2-space indent, {@code "key": value}, one array element per line, {@code {}} and
 *       {@code []} for empty containers, {@code \n} line ends; compact output has no whitespace at all.</li>
 *   <li>A whole double or float below 10<sup>15</sup> is written without a fraction ({@code 2}, {@code -0}); any
 *       other is the shortest text that reads back to the same value ({@link Double#toString},
 *       {@link Float#toString} for floats). NaN and the infinities have no JSON form and are refused.</li>
 *   <li>Control characters are escaped ({@code \n}, <code>&#92;u001f</code>), and so are U+2028 and U+2029, so the
 *       text is also valid JavaScript.</li>
 *   <li>Records bind directly, by their components ({@code isX()} methods are not properties). Every record
 *       component is a required key unless its type is an {@code Optional}
 *       (absent when empty) or it is marked {@code @JsonProperty(isRequired = OptBoolean.FALSE)}; an explicit
 *       {@code null} is a value. Unknown keys are ignored, so files written by a newer version stay readable;
 *       duplicate keys, trailing content and {@code null} for a primitive are errors.</li>
 * </ul>
 *
 * <p>Reading a file ({@link #read}) turns every failure into a {@link DataFormatException} that names the file, the
 * key (as a path such as {@code spec.depth} or {@code files[3].sha256}), what was wrong and where.
 */
public final class Json {
    /** Deeper nesting than any file of ours needs; stops a hostile file from exhausting the stack. */
    private static final int MAX_DEPTH = 512;
    /** The most characters of a key path and of a problem a message shows. */
    private static final int MAX_PATH_CHARS = 120;
    private static final int MAX_PROBLEM_CHARS = 300;
    private static final double WHOLE_LIMIT = 1e15;
    private static final java.util.regex.Pattern SOURCE_REFERENCE = java.util.regex.Pattern.compile(
            " ?\\((?:start marker at )?\\[Source: [^\\]]*\\]\\)|\\[Source: [^\\]]*\\]");

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                    .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
                    .characterEscapes(new Escapes())
                    .streamReadConstraints(tools.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH).build())
                    .addDecorator(new NumberFormat())
                    .build())
            .annotationIntrospector(new RequiredByDefault())
            // is-methods of value types are predicates (PostProcessing.isNone), not properties
            .changeDefaultVisibility(v -> v.withIsGetterVisibility(JsonAutoDetect.Visibility.NONE))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .withConfigOverride(Optional.class, o -> o.setInclude(absentLeftOut()))
            .withConfigOverride(OptionalDouble.class, o -> o.setInclude(absentLeftOut()))
            .withConfigOverride(OptionalInt.class, o -> o.setInclude(absentLeftOut()))
            .withConfigOverride(OptionalLong.class, o -> o.setInclude(absentLeftOut()))
            .build();

    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter().with(new DefaultPrettyPrinter(
            Separators.createDefaultInstance()
                    .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));
    private static final ObjectWriter COMPACT = MAPPER.writer();

    private Json() {
    }

    /** The mapper itself, for trees ({@link JsonMapper#readTree}) and conversions; shared and immutable. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /**
     * Pretty-printed JSON of {@code value} (a record, map, list, array, string, number, boolean or tree).
     *
     * @throws IllegalArgumentException if it holds a value JSON cannot represent (NaN, infinity), naming it
     */
    public static String write(Object value) {
        return write(PRETTY, value);
    }

    /** JSON of {@code value} on one line, without insignificant whitespace. */
    public static String writeCompact(Object value) {
        return write(COMPACT, value);
    }

    private static String write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot write json: " + describe(e), e);
        }
    }

    /** Writes {@link #write pretty JSON} of {@code value} to {@code file} atomically ({@link AtomicFile}). */
    public static void writeFile(Path file, Object value) throws IOException {
        AtomicFile.writeString(file, write(value));
    }

    /**
     * Parses JSON text into {@code type}.
     *
     * @throws IllegalArgumentException if the text is not JSON or does not fit {@code type}, naming the key
     */
    public static <T> T parse(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    /** As {@link #parse(String, Class)}, for generic types ({@code new TypeReference<List<Foo>>() {}}). */
    public static <T> T parse(String json, TypeReference<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    /** The JSON text as a tree; {@link IllegalArgumentException} naming the line and column if it is not JSON. */
    public static JsonNode tree(String json) {
        return parse(json, JsonNode.class);
    }

    /**
     * Reads a UTF-8 JSON file into {@code type}.
     *
     * @throws DataFormatException naming the file and what is wrong with it (not UTF-8, not JSON, a missing or
     *     mistyped key, a value its type refuses)
     */
    public static <T> T read(Path file, Class<T> type) throws IOException {
        String text = readUtf8(file);
        try {
            return MAPPER.readValue(text, type);
        } catch (JacksonException e) {
            throw new DataFormatException(file, describe(e), e);
        }
    }

    /**
     * A file's text, refusing bytes that are not UTF-8, and a file larger than {@link ReadLimits#maxFileBytes()},
     * with a {@link DataFormatException} naming the file.
     */
    public static String readUtf8(Path file) throws IOException {
        ReadLimits.defaults().checkFileSize(file, Files.size(file));
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "not utf-8 text", e);
        }
    }

    /**
     * One line saying what is wrong: the key's path ({@code spec.depth}, {@code files[3]}), the problem, and the
     * line and column, without Jackson's class names and reference chains.
     */
    public static String describe(JacksonException e) {
        // keys, tokens and refused values come from the file: shown escaped and cut short
        String path = TextFields.printable(path(e), MAX_PATH_CHARS);
        String what;
        if (e instanceof ValueInstantiationException && e.getCause() != null && e.getCause().getMessage() != null) {
            // the record's own validation refused the value: its message says why
            what = e.getCause().getMessage();
        } else if (e instanceof MismatchedInputException && e.getOriginalMessage() != null
                && e.getOriginalMessage().startsWith("Missing required creator property")) {
            return "missing key \"" + path + "\"";
        } else {
            what = firstLine(e.getOriginalMessage());
        }
        StringBuilder sb = new StringBuilder();
        if (e instanceof DatabindException && !path.isEmpty()) {
            sb.append("key \"").append(path).append("\": ");
        } else if (!(e instanceof DatabindException)) {
            sb.append("invalid json: ");
        }
        sb.append(TextFields.printable(what, MAX_PROBLEM_CHARS));
        TokenStreamLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) {
            sb.append(String.format(Locale.ROOT, " (line %d, column %d)", loc.getLineNr(), loc.getColumnNr()));
        }
        return sb.toString();
    }

    private static String path(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference r : e.getPath()) {
            if (r.getPropertyName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "unreadable";
        }
        String m = message.strip();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl).strip();
        // the parser's own pointer into its (redacted) source says nothing the line and column do not
        return SOURCE_REFERENCE.matcher(m).replaceAll("");
    }

    private static JsonInclude.Value absentLeftOut() {
        return JsonInclude.Value.construct(JsonInclude.Include.NON_ABSENT, JsonInclude.Include.NON_ABSENT);
    }

    /** Record components are required keys unless Optional-typed or explicitly marked otherwise. */
    private static final class RequiredByDefault extends JacksonAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean hasRequiredMarker(MapperConfig<?> config, AnnotatedMember member) {
            Boolean marked = super.hasRequiredMarker(config, member);
            if (marked != null) {
                return marked;
            }
            if (member instanceof AnnotatedParameter p && p.getOwner().getDeclaringClass().isRecord()) {
                Class<?> t = p.getRawType();
                return !(t == Optional.class || t == OptionalDouble.class || t == OptionalInt.class
                        || t == OptionalLong.class);
            }
            return null;
        }
    }

    /** Whole doubles without a fraction, floats in float precision, non-finite values refused. */
    private static final class NumberFormat implements JsonGeneratorDecorator {
        @Override
        public JsonGenerator decorate(tools.jackson.core.TokenStreamFactory factory, JsonGenerator generator) {
            return new JsonGeneratorDelegate(generator, true) {
                @Override
                public JsonGenerator writeNumber(double v) {
                    return writeNumber(text(v, false));
                }

                @Override
                public JsonGenerator writeNumber(float v) {
                    return writeNumber(text(v, true));
                }

                @Override
                public JsonGenerator writeArray(double[] array, int offset, int length) {
                    writeStartArray(array, length);
                    for (int i = offset; i < offset + length; i++) {
                        writeNumber(array[i]);
                    }
                    return writeEndArray();
                }
            };
        }

        private static String text(double d, boolean isFloat) {
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("json cannot represent " + d);
            }
            if (d == Math.rint(d) && Math.abs(d) < WHOLE_LIMIT) {
                long l = (long) d;
                return l == 0 && 1 / d < 0 ? "-0" : Long.toString(l);
            }
            return isFloat ? Float.toString((float) d) : Double.toString(d);
        }
    }

    /** Lower-case <code>&#92;u</code> escapes for control characters (the standard set) and U+2028 / U+2029. */
    private static final class Escapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private static final SerializableString LS = new SerializedString("\\u2028");
        private static final SerializableString PS = new SerializedString("\\u2029");
        private final int[] ascii = standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0x2028 ? LS : ch == 0x2029 ? PS : null;
        }
    }
}
