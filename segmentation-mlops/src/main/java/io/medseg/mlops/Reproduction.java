package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How a reproduction compares with the run it reproduces ({@code reproduction.json}): the loss of every step,
 * bit for bit, and what differs in where it ran and in the recipe.
 *
 * @param firstDifferentStep the first step (1-based) whose loss differs, null when all are identical
 * @param environmentChanges differences of environment and git commit, one line each
 * @param recipeChanges differences between the recorded recipe and the one that was run again
 */
public record Reproduction(String original, String reproduction, @JsonProperty("steps_original") int stepsOriginal,
        @JsonProperty("steps_reproduction") int stepsReproduction, @JsonProperty("steps_identical") int stepsIdentical,
        @JsonProperty("first_different_step") Integer firstDifferentStep,
        @JsonProperty("max_abs_loss_difference") double maxAbsLossDifference, boolean identical,
        @JsonProperty("environment_changes") List<String> environmentChanges,
        @JsonProperty("recipe_changes") List<String> recipeChanges) {

    public Reproduction {
        environmentChanges = List.copyOf(environmentChanges);
        recipeChanges = List.copyOf(recipeChanges);
    }

    static Reproduction compare(Path originalDir, TrainingProvenance original, Path reproductionDir,
            TrainingProvenance again, List<JsonDiff.Change> recipeChanges) throws IOException {
        List<Float> a = TrainingRun.readLosses(originalDir);
        List<Float> b = TrainingRun.readLosses(reproductionDir);
        int identical = 0;
        int firstDifferent = -1;
        double maxDiff = 0;
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (Float.floatToIntBits(a.get(i)) == Float.floatToIntBits(b.get(i))) {
                identical++;
            } else {
                if (firstDifferent < 0) {
                    firstDifferent = i + 1;
                }
                maxDiff = Math.max(maxDiff, Math.abs(a.get(i) - b.get(i)));
            }
        }
        boolean same = a.size() == b.size() && identical == a.size();
        if (!same && firstDifferent < 0) {
            firstDifferent = Math.min(a.size(), b.size()) + 1; // one run has steps the other lacks
        }
        List<String> env = JsonDiff.diff(original.whereTree(), again.whereTree()).stream().map(Object::toString)
                .toList();
        return new Reproduction(originalDir.toString(), reproductionDir.toString(), a.size(), b.size(), identical,
                firstDifferent < 0 ? null : firstDifferent, maxDiff, same, env,
                recipeChanges.stream().map(Object::toString).toList());
    }

    /**
     * One line for people: {@code REPRODUCED: 35 of 35 step losses identical; environment unchanged}, or where the
     * losses part.
     */
    public String summary() {
        return String.format(Locale.ROOT, "%s: %d of %d step losses identical%s; environment %s",
                identical ? "REPRODUCED" : "DIFFERENT", stepsIdentical, stepsOriginal,
                identical ? "" : String.format(Locale.ROOT, " (first difference at step %d, max |difference| %.3g%s)",
                        firstDifferentStep, maxAbsLossDifference, stepsOriginal == stepsReproduction ? ""
                                : ", " + stepsReproduction + " steps vs " + stepsOriginal),
                environmentChanges.isEmpty() ? "unchanged" : "changed: " + environmentChanges);
    }
}
