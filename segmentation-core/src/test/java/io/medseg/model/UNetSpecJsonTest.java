package io.medseg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.io.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spec's JSON form, as {@code model.json} and {@code provenance.json} hold it. */
class UNetSpecJsonTest {

    private static List<UNetSpec> specs() {
        return List.of(
                UNet.builder().build(),
                UNet.builder().inputShape(128, 96, 3).numClasses(4).depth(5).baseFilters(8).kernelSize(5)
                        .batchNorm(false).dropout(0.3).activation(Activation.ELU)
                        .normalization(Normalization.zScore()).inputFit(InputFit.CENTRE_CROP).build(),
                UNet.builder().inputShape(64, 64, 1).depth(2).activation(Activation.LEAKY_RELU)
                        .normalization(Normalization.none()).dropout(0.125).build(),
                UNet.builder().normalization(Normalization.percentile(0.5, 99.5)).build());
    }

    @Test
    void jsonRoundTripGivesAnEqualSpec() {
        for (UNetSpec spec : specs()) {
            assertThat(Json.parse(Json.write(spec), UNetSpec.class)).isEqualTo(spec);
        }
    }

    @Test
    void writesEveryFieldUnderItsNameInTheDocumentedOrder() {
        assertThat(Json.write(specs().get(1))).isEqualTo("""
                {
                  "inputHeight": 128,
                  "inputWidth": 96,
                  "inputChannels": 3,
                  "numClasses": 4,
                  "depth": 5,
                  "baseFilters": 8,
                  "kernelSize": 5,
                  "upsampling": "TRANSPOSE_CONV",
                  "batchNorm": false,
                  "dropout": 0.3,
                  "activation": "ELU",
                  "normalization": {
                    "type": "zscore"
                  },
                  "inputFit": "CENTRE_CROP"
                }\
                """);
        assertThat(Json.writeCompact(specs().get(3).normalization()))
                .isEqualTo("{\"type\":\"percentile\",\"low\":0.5,\"high\":99.5}");
        assertThat(Json.writeCompact(specs().get(0).normalization()))
                .isEqualTo("{\"type\":\"percentile\",\"low\":1,\"high\":99}");
    }

    private static String without(String key) {
        return Json.writeCompact(UNet.builder().build()).replaceFirst("\"" + key + "\":[^,]*,", "");
    }

    @Test
    void missingKeyIsNamed() {
        assertThatThrownBy(() -> Json.parse(without("kernelSize"), UNetSpec.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing key \"kernelSize\"");
    }

    @Test
    void unknownEnumNameIsNamedWithTheChoices() {
        String json = Json.writeCompact(UNet.builder().build()).replace("\"RELU\"", "\"SWISH\"");
        assertThatThrownBy(() -> Json.parse(json, UNetSpec.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key \"activation\"").hasMessageContaining("SWISH")
                .hasMessageContaining("RELU").hasMessageContaining("LEAKY_RELU").hasMessageContaining("ELU");
    }

    @Test
    void badNormalizationIsReportedUnderItsKey() {
        String base = Json.writeCompact(UNet.builder().build());
        String minmax = base.replaceFirst("\\{\"type\":\"percentile\",\"low\":1,\"high\":99}", "{\"type\":\"minmax\"}");
        assertThatThrownBy(() -> Json.parse(minmax, UNetSpec.class)).hasMessageContaining("normalization")
                .hasMessageContaining("minmax");
        String noHigh = base.replaceFirst(",\"high\":99", "");
        assertThatThrownBy(() -> Json.parse(noHigh, UNetSpec.class))
                .hasMessageContaining("missing key \"normalization.high\"");
    }

    @Test
    void wrongTypeAndInvalidValuesAreRejected() {
        String base = Json.writeCompact(UNet.builder().build());
        assertThatThrownBy(() -> Json.parse(base.replace("\"depth\":4", "\"depth\":\"four\""), UNetSpec.class))
                .hasMessageContaining("key \"depth\"").hasMessageContaining("int");
        assertThatThrownBy(() -> Json.parse(base.replace("\"depth\":4", "\"depth\":9"), UNetSpec.class))
                .hasMessageContaining("depth must be in 1..6: 9");
        assertThatThrownBy(() -> Json.parse("[1]", UNetSpec.class)).isInstanceOf(IllegalArgumentException.class);
    }
}
