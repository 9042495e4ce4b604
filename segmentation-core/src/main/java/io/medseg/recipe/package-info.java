/**
 * Recipes: {@link io.medseg.recipe.Recipe} holds everything that defines how a model for a task is trained and
 * run, and {@link io.medseg.recipe.CrossValidation} estimates how a recipe does on unseen patients
 * (leave-one-patient-out).
 */
package io.medseg.recipe;
