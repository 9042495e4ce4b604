/**
 * The cardiac MRI example: {@link io.medseg.examples.CardiacRecipe} holds the tested recipes (the defaults of
 * {@code segment train} and the demo's), {@link io.medseg.examples.CardiacExample} is the whole job as one program
 * to read, and {@link io.medseg.examples.cli} is the {@code segment} command line.
 */
package io.medseg.examples;
