package io.medseg.examples;

import static org.assertj.core.api.Assertions.assertThat;

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
}
