/**
 * Optimiser specs (Adam, SGD with momentum) and learning-rate schedules (constant, step, cosine), with the <code>Optimizers</code> factory.
 */
package io.medseg.optim;
