package io.medseg.mlops.registry;

/**
 * A promotion to {@link Stage#PRODUCTION} refused because the version's newest validation record for its MANIFEST
 * is missing or failed: a rule working as intended, not a fault.
 */
public final class PromotionRefusedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public PromotionRefusedException(String message) {
        super(message);
    }
}
