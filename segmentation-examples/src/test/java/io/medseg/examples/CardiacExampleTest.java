package io.medseg.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.testdata.SunnybrookTestData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CardiacExampleTest {

    @Test
    void theTutorialProgramTrainsOnTheRealDataAndSavesAModelThatLoads(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("lv-example");
        CardiacExample.main(new String[] {SunnybrookTestData.dir().toString(), model.toString(), "2"});
        try (SegmentationModel m = Backends.load().load(model)) {
            assertThat(m.spec()).isEqualTo(CardiacRecipe.defaults().spec());
        }
    }

    @Test
    void aBadEpochsArgumentIsRefusedBeforeAnythingIsRead(@TempDir Path tmp) {
        // the data folder does not exist: the epochs argument must be refused first, naming itself
        for (String bad : new String[] {"ten", "0", "-3", "1.5"}) {
            assertThatThrownBy(() -> CardiacExample.main(new String[] {tmp.resolve("no-data").toString(),
                    tmp.resolve("model").toString(), bad})).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the number of epochs (third argument) must be a whole number >= 1, got '" + bad
                            + "'");
        }
    }
}
