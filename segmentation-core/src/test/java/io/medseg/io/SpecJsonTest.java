package io.medseg.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.model.Activation;
import io.medseg.model.InputFit;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecJsonTest {

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
            assertThat(SpecJson.fromJson(SpecJson.toJson(spec))).isEqualTo(spec);
            assertThat(SpecJson.fromMap(SpecJson.toMap(spec))).isEqualTo(spec);
        }
    }

    @Test
    void writesEveryFieldUnderItsName() {
        UNetSpec spec = specs().get(1);
        Map<String, Object> m = Json.object(Json.parse(SpecJson.toJson(spec)));
        assertThat(m).containsOnlyKeys("inputHeight", "inputWidth", "inputChannels", "numClasses", "depth",
                "baseFilters", "kernelSize", "upsampling", "batchNorm", "dropout", "activation", "normalization",
                "inputFit");
        assertThat(m).containsEntry("inputHeight", 128L).containsEntry("inputWidth", 96L)
                .containsEntry("inputChannels", 3L).containsEntry("numClasses", 4L).containsEntry("depth", 5L)
                .containsEntry("baseFilters", 8L).containsEntry("kernelSize", 5L)
                .containsEntry("upsampling", "TRANSPOSE_CONV").containsEntry("batchNorm", false)
                .containsEntry("dropout", 0.3).containsEntry("activation", "ELU")
                .containsEntry("normalization", Map.of("type", "zscore")).containsEntry("inputFit", "CENTRE_CROP");
        Map<String, Object> pct = Json.object(Json.parse(SpecJson.toJson(specs().get(3))));
        assertThat(pct.get("normalization")).isEqualTo(Map.of("type", "percentile", "low", 0.5, "high", 99.5));
    }

    @Test
    void missingKeyIsNamed() {
        Map<String, Object> m = SpecJson.toMap(UNet.builder().build());
        m.remove("kernelSize");
        assertThatThrownBy(() -> SpecJson.fromMap(m)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing key \"kernelSize\"");
    }

    @Test
    void unknownEnumNameIsNamedWithTheChoices() {
        Map<String, Object> m = SpecJson.toMap(UNet.builder().build());
        m.put("activation", "SWISH");
        assertThatThrownBy(() -> SpecJson.fromMap(m)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"activation\"").hasMessageContaining("SWISH")
                .hasMessageContaining("[RELU, LEAKY_RELU, ELU]");
    }

    @Test
    void badNormalizationIsReportedUnderItsKey() {
        Map<String, Object> m = SpecJson.toMap(UNet.builder().build());
        m.put("normalization", Map.of("type", "minmax"));
        assertThatThrownBy(() -> SpecJson.fromMap(m)).hasMessageContaining("normalization")
                .hasMessageContaining("minmax");
        m.put("normalization", Map.of("type", "percentile", "low", 1));
        assertThatThrownBy(() -> SpecJson.fromMap(m)).hasMessageContaining("normalization")
                .hasMessageContaining("missing key \"high\"");
    }

    @Test
    void wrongTypeAndInvalidValuesAreRejected() {
        Map<String, Object> m = SpecJson.toMap(UNet.builder().build());
        m.put("depth", "four");
        assertThatThrownBy(() -> SpecJson.fromMap(m)).hasMessageContaining("\"depth\"")
                .hasMessageContaining("integer");
        m.put("depth", 9);
        assertThatThrownBy(() -> SpecJson.fromMap(m)).hasMessageContaining("depth must be in 1..6: 9");
        assertThatThrownBy(() -> SpecJson.fromJson("[1]")).hasMessageContaining("expected a json object");
    }
}
