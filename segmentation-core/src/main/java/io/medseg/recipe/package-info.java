/**
 * Complete training recipes (<code>CardiacRecipe</code>) and leave-one-patient-out <code>CrossValidation</code> of a recipe.
 */
package io.medseg.recipe;
