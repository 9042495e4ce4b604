package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.mlops.EvaluationReport.ImageResult;
import io.medseg.testdata.TestJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationReportTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object parsed) {
        assertThat(parsed).isInstanceOf(Map.class);
        return (Map<String, Object>) parsed;
    }

    private static EvaluationReport handMade() {
        return new EvaluationReport(List.of(
                new ImageResult("p2/1", "p2", 0.5),
                new ImageResult("p1/1", "p1", 0.8),
                new ImageResult("p1/2", "p1", 1.0),
                new ImageResult("p2/2", "p2", 0.0)), 0.75);
    }

    @Test
    void jsonHasExactlyTheContractKeysInOrder() {
        Object parsed = TestJson.parse(handMade().toJson());

        Map<String, Object> root = obj(parsed);
        assertThat(root.keySet()).containsExactly("images", "patients", "dice_mean", "dice_global", "per_patient",
                "per_image");
        assertThat(((Number) root.get("images")).intValue()).isEqualTo(4);
        assertThat(((Number) root.get("patients")).intValue()).isEqualTo(2);
        assertThat(((Number) root.get("dice_mean")).doubleValue()).isCloseTo((0.5 + 0.8 + 1.0 + 0.0) / 4,
                within(1e-12));
        assertThat(((Number) root.get("dice_global")).doubleValue()).isEqualTo(0.75);
    }

    @Test
    void perPatientAveragesEachPatientsImagesInSortedPatientOrder() {
        Map<String, Object> root = obj(TestJson.parse(handMade().toJson()));
        Map<String, Object> perPatient = obj(root.get("per_patient"));

        assertThat(perPatient.keySet()).containsExactly("p1", "p2");
        Map<String, Object> p1 = obj(perPatient.get("p1"));
        assertThat(p1.keySet()).containsExactly("images", "dice_mean");
        assertThat(((Number) p1.get("images")).intValue()).isEqualTo(2);
        assertThat(((Number) p1.get("dice_mean")).doubleValue()).isCloseTo(0.9, within(1e-12));
        Map<String, Object> p2 = obj(perPatient.get("p2"));
        assertThat(((Number) p2.get("dice_mean")).doubleValue()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void perImageKeepsTheGivenOrderWithIdPatientAndDice() {
        Map<String, Object> root = obj(TestJson.parse(handMade().toJson()));
        List<?> perImage = (List<?>) root.get("per_image");

        assertThat(perImage).hasSize(4);
        Map<String, Object> first = obj(perImage.get(0));
        assertThat(first.keySet()).containsExactly("id", "patient", "dice");
        assertThat(first.get("id")).isEqualTo("p2/1");
        assertThat(first.get("patient")).isEqualTo("p2");
        assertThat(((Number) first.get("dice")).doubleValue()).isEqualTo(0.5);
    }

    @Test
    void jsonIsOneLineSoLineOrientedToolsCanReadIt() {
        assertThat(handMade().toJson()).doesNotContain("\n").startsWith("{").endsWith("}");
    }

    @Test
    void computeScoresEachImageAndPoolsPixelsForTheGlobalDice() {
        // image a: reference 4 pixels, prediction 2 of them -> 2*2/(4+2) = 2/3
        Mask refA = Mask.of(2, 4, new byte[] {1, 1, 1, 1, 0, 0, 0, 0});
        Mask predA = Mask.of(2, 4, new byte[] {1, 1, 0, 0, 0, 0, 0, 0});
        // image b: both empty -> 1 by the empty-mask rule; contributes nothing to the pooled counts
        Mask refB = Mask.empty(2, 4);
        Mask predB = Mask.empty(2, 4);
        // image c: reference 1 pixel, prediction empty -> 0
        Mask refC = Mask.of(2, 4, new byte[] {0, 0, 0, 0, 0, 0, 0, 1});
        Mask predC = Mask.empty(2, 4);
        Image img = Image.of(2, 4, new float[8]);
        List<Sample> samples = List.of(new Sample("a", "x", img, refA), new Sample("b", "x", img, refB),
                new Sample("c", "y", img, refC));

        EvaluationReport r = EvaluationReport.compute(samples, List.of(predA, predB, predC), 2);

        assertThat(r.images()).extracting(ImageResult::dice).containsExactly(2.0 / 3, 1.0, 0.0);
        assertThat(r.diceMean()).isCloseTo((2.0 / 3 + 1.0 + 0.0) / 3, within(1e-12));
        // pooled: intersection 2, reference 4 + 0 + 1, prediction 2 + 0 + 0 -> 4/7
        assertThat(r.diceGlobal()).isCloseTo(4.0 / 7, within(1e-12));
        assertThat(r.perPatient().get("x").images()).isEqualTo(2);
        assertThat(r.patientCount()).isEqualTo(2);
    }

    @Test
    void tableNamesEveryPatientAndTheTotals() {
        String table = handMade().toTable();

        assertThat(table).contains("p1/2").contains("0.9000").contains("0.2500")
                .contains("4 images, 2 patients: mean Dice 0.5750, global Dice 0.7500");
    }

    @Test
    void countsOfSamplesAndPredictionsMustMatch() {
        Image img = Image.of(1, 1, new float[1]);
        List<Sample> one = List.of(new Sample("a", "x", img, Mask.empty(1, 1)));
        assertThatThrownBy(() -> EvaluationReport.compute(one, List.of(), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 vs 0");
    }
}
