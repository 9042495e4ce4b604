package io.medseg.mlops;

import io.medseg.recipe.Recipe;
import java.util.Optional;

/**
 * Recipes by name, for runs of earlier versions that recorded their recipe as text: such a run is resumed or
 * reproduced with the catalog's recipe of the recorded name (and told when it no longer matches the record).
 */
@FunctionalInterface
public interface RecipeCatalog {

    /** The recipe called {@code name}, if the catalog has one. */
    Optional<Recipe> find(String name);

    /** A catalog without recipes: only runs that recorded their recipe as JSON can be run again. */
    static RecipeCatalog none() {
        return name -> Optional.empty();
    }
}
